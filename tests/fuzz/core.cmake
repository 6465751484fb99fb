# Fuzz targets of the core library. CTest replays each checked-in corpus with any compiler; with
# clang the libFuzzer executables are built too (e.g. `core_http_response_fuzzer
# tests/fuzz/corpus/core_http_response`).
set(sm_core_fuzz_core_http_response ${PROJECT_SOURCE_DIR}/core/http/ResponseParser.cpp)
set(sm_core_fuzz_core_config ${PROJECT_SOURCE_DIR}/core/config/SystemConfig.cpp
  ${PROJECT_SOURCE_DIR}/core/config/ConfigReader.cpp)
foreach(target core_http_response core_config)
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp)
    continue()
  endif()
  add_executable(${target}_replay ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp)
  target_link_libraries(${target}_replay PRIVATE sm_core sm_fuzz_replay)
  add_test(NAME ${target}_corpus
    COMMAND ${target}_replay ${CMAKE_CURRENT_LIST_DIR}/corpus/${target})
  set_tests_properties(${target}_corpus PROPERTIES TIMEOUT 60 LABELS "fuzz;core")
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # The parser's own sources are compiled in with coverage; the rest comes from sm_core.
    add_executable(${target}_fuzzer ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp
      ${sm_core_fuzz_${target}})
    target_compile_options(${target}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${target}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${target}_fuzzer PRIVATE sm_core)
  endif()
endforeach()

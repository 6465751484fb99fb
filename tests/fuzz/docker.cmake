# Fuzz targets of core/docker. The corpus is replayed by CTest with any compiler; with clang the
# libFuzzer executables are built too: `docker_frames_fuzzer NEW_DIR tests/fuzz/corpus/docker_frames`
# (new inputs go to the first directory; copy crashers into the corpus to keep them as tests).
set(sm_docker_fuzz_parsers
  ${PROJECT_SOURCE_DIR}/core/docker/DockerFrames.cpp
  ${PROJECT_SOURCE_DIR}/core/docker/DockerEvents.cpp
  ${PROJECT_SOURCE_DIR}/core/docker/DockerJson.cpp
  ${PROJECT_SOURCE_DIR}/core/docker/DockerTime.cpp)
foreach(target docker_frames docker_events)
  # The replayer links the parsers from sm_core; only libFuzzer's build compiles them again,
  # with coverage.
  add_executable(${target}_replay ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp)
  target_link_libraries(${target}_replay PRIVATE sm_core sm_fuzz_replay)
  add_test(NAME ${target}_corpus
    COMMAND ${target}_replay ${CMAKE_CURRENT_LIST_DIR}/corpus/${target})
  set_tests_properties(${target}_corpus PROPERTIES TIMEOUT 60 LABELS "fuzz;docker")
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_executable(${target}_fuzzer ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp ${sm_docker_fuzz_parsers})
    target_include_directories(${target}_fuzzer PRIVATE ${PROJECT_SOURCE_DIR}/core)
    target_compile_options(${target}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${target}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${target}_fuzzer PRIVATE Qt6::Core)
  endif()
endforeach()

# Fuzz targets of the s6-agent's parsers: HTTP requests, supervise/status
# files, request-body JSON, finish scripts (s6-permafailon). CTest replays each
# checked-in corpus with any compiler (agent_*_replay); with clang the libFuzzer
# executables are built too, e.g. `agent_request_fuzzer tests/fuzz/corpus/agent_request`.
if(TARGET sm_agent_lib)
  foreach(target agent_request agent_status agent_json agent_finish)
    add_executable(${target}_replay ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp)
    target_link_libraries(${target}_replay PRIVATE sm_agent_lib sm_fuzz_replay)
    set_target_properties(${target}_replay PROPERTIES AUTOMOC OFF)
    add_test(NAME ${target}_corpus
      COMMAND ${target}_replay ${CMAKE_CURRENT_LIST_DIR}/corpus/${target})
    set_tests_properties(${target}_corpus PROPERTIES TIMEOUT 60 LABELS "fuzz;agent")
    if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      # The agent's sources are compiled in again, with coverage for libFuzzer.
      get_target_property(sm_agent_fuzz_sources sm_agent_lib SOURCES)
      list(TRANSFORM sm_agent_fuzz_sources PREPEND ${PROJECT_SOURCE_DIR}/agent/)
      add_executable(${target}_fuzzer ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp ${sm_agent_fuzz_sources})
      target_include_directories(${target}_fuzzer PRIVATE ${PROJECT_SOURCE_DIR}/agent ${HTTP_PARSER_INCLUDE_DIR})
      target_compile_options(${target}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_options(${target}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_libraries(${target}_fuzzer PRIVATE ${HTTP_PARSER_STATIC})
      set_target_properties(${target}_fuzzer PROPERTIES AUTOMOC OFF)
    endif()
  endforeach()
endif()

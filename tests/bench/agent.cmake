# On-demand benchmark of the s6-agent (not a CTest test): build `bench_agent`,
# then run tests/bench/agent_bench.sh [BUILD_DIR].
if(TARGET s6-agent)
  add_executable(bench_agent ${CMAKE_CURRENT_LIST_DIR}/agent_bench.cpp)
  target_include_directories(bench_agent PRIVATE ${HTTP_PARSER_INCLUDE_DIR})
  target_link_libraries(bench_agent PRIVATE ${HTTP_PARSER_STATIC} pthread)
  set_target_properties(bench_agent PROPERTIES AUTOMOC OFF)
  add_dependencies(bench_agent s6-agent)
endif()

# On-demand benchmark of the history store's cost to readers (not a CTest test): build
# `bench_history` (with s6-agent) and run it. See history_bench.cpp.
if(TARGET s6-agent AND TARGET sm_headless AND TARGET sm_testsupport)
  add_executable(bench_history ${CMAKE_CURRENT_LIST_DIR}/history_bench.cpp)
  target_link_libraries(bench_history PRIVATE sm_headless sm_testsupport Qt6::Test)
  add_dependencies(bench_history s6-agent)
endif()

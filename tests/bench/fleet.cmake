# On-demand benchmark of the dashboard's fleet mode with 20 demo robots (not a CTest test):
# build `bench_fleet` (with system-managerd and s6-agent) and run it. See fleet_bench.cpp.
if(TARGET sm_gui AND TARGET system-managerd AND TARGET s6-agent)
  add_executable(bench_fleet ${CMAKE_CURRENT_LIST_DIR}/fleet_bench.cpp)
  target_link_libraries(bench_fleet PRIVATE sm_gui)
  add_dependencies(bench_fleet system-managerd s6-agent)
endif()

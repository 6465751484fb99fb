# On-demand benchmark of live updates, push against the polling design (not a CTest test):
# build `bench_push` (with system-managerd and s6-agent), then run tests/bench/push_bench.sh.
if(TARGET s6-agent AND TARGET system-managerd)
  add_executable(bench_push ${CMAKE_CURRENT_LIST_DIR}/push_bench.cpp)
  target_link_libraries(bench_push PRIVATE pthread)
  set_target_properties(bench_push PROPERTIES AUTOMOC OFF)
  add_dependencies(bench_push s6-agent system-managerd)
endif()

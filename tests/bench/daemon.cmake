# The memory floor daemon_bench.sh measures beside the daemon (not a CTest test): the daemon's
# libraries (sm_headless's link line, none of its code), each loaded whether or not this
# program calls it, as the daemon loads them all.
if(TARGET sm_headless)
  add_executable(bench_rss_floor ${CMAKE_CURRENT_LIST_DIR}/rss_floor.cpp)
  target_link_libraries(bench_rss_floor PRIVATE sm_headless)
  target_link_options(bench_rss_floor PRIVATE LINKER:--no-as-needed)
endif()

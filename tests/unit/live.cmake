# Live updates: StatusMonitor (core) and the SSE hub (headless), against scripted backends.
add_executable(live_status_monitor live_status_monitor.cpp)
target_link_libraries(live_status_monitor PRIVATE sm_core sm_fakebackend Qt6::Test)
add_test(NAME live_status_monitor COMMAND live_status_monitor)
set_tests_properties(live_status_monitor PROPERTIES TIMEOUT 30 LABELS "unit;live")

if(TARGET sm_headless)
  add_executable(live_sse_hub live_sse_hub.cpp)
  target_link_libraries(live_sse_hub PRIVATE sm_headless sm_fakebackend Qt6::Test)
  add_test(NAME live_sse_hub COMMAND live_sse_hub)
  set_tests_properties(live_sse_hub PROPERTIES TIMEOUT 30 LABELS "unit;live")
endif()

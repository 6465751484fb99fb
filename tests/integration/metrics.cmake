# GET /metrics end to end: Debian's prometheus scrapes the built system-managerd over a real s6
# tree and the project's s6-agent, with the rules of packaging/prometheus.
if(TARGET system-managerd AND TARGET s6-agent AND TARGET sm_testsupport)
  add_executable(metrics_prometheus ${CMAKE_CURRENT_LIST_DIR}/metrics_prometheus.cpp
    ${CMAKE_CURRENT_LIST_DIR}/daemon_support.h)
  target_link_libraries(metrics_prometheus PRIVATE sm_testsupport Qt6::Network Qt6::Test)
  target_compile_definitions(metrics_prometheus PRIVATE SM_VERSION="${SM_VERSION}")
  add_dependencies(metrics_prometheus system-managerd s6-agent)
  add_test(NAME metrics_prometheus COMMAND metrics_prometheus)
  set_tests_properties(metrics_prometheus PROPERTIES TIMEOUT 90 LABELS "integration;metrics")
endif()

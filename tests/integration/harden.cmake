# Hardening of system-managerd end to end: faults between the daemon and its peers, and a clean
# SIGTERM under load. One executable per tests/integration/harden_*.cpp.
if(TARGET system-managerd AND TARGET s6-agent AND TARGET sm_testsupport)
  foreach(name harden_access harden_faults harden_shutdown)
    add_executable(${name}_test ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp ${CMAKE_CURRENT_LIST_DIR}/daemon_support.h)
    target_link_libraries(${name}_test PRIVATE sm_testsupport Qt6::Network Qt6::Test)
    add_dependencies(${name}_test system-managerd s6-agent)
    add_test(NAME ${name} COMMAND ${name}_test)
    set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "integration;harden")
  endforeach()
endif()

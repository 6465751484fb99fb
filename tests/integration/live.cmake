# Live updates end to end: the built system-managerd over real s6 trees and the project's
# s6-agent (live_events, live_logs, live_deaths), a mixed fleet with an older agent
# (live_mixed_fleet), and over podman's Docker API (live_docker).
if(TARGET system-managerd AND TARGET s6-agent AND TARGET sm_testsupport)
  foreach(name live_events live_logs live_docker live_mixed_fleet live_deaths)
    if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
      continue()
    endif()
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp
      ${CMAKE_CURRENT_LIST_DIR}/live_support.h)
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
    target_link_libraries(${name} PRIVATE sm_core sm_testsupport Qt6::Network Qt6::Test)
    add_dependencies(${name} system-managerd s6-agent)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "integration;live")
  endforeach()
  if(TEST live_docker)
    # podman state is private to each run, but two services at once only compete for the CPU.
    set_tests_properties(live_docker PROPERTIES TIMEOUT 120 RESOURCE_LOCK podman)
  endif()
endif()

# Integration tests of the Docker features against a real Engine API (podman's service, started
# per executable by tests/support/PodmanService). One executable per docker_*.cpp; the
# system-managerd end-to-end test (docker_daemon) also needs the daemon.
foreach(name docker_backend docker_client docker_daemon docker_fault docker_streams)
  if(name STREQUAL "docker_daemon")
    if(NOT TARGET system-managerd)
      continue()
    endif()
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
    target_link_libraries(${name} PRIVATE sm_testsupport Qt6::Network Qt6::Test)
    add_dependencies(${name} system-managerd)
  else()
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
    target_link_libraries(${name} PRIVATE sm_core sm_testsupport Qt6::Test)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  # Each run has its own podman state; the lock only keeps two services from competing for CPU.
  set_tests_properties(${name} PROPERTIES TIMEOUT 120 LABELS "integration;docker"
    RESOURCE_LOCK podman)
endforeach()

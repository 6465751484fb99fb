# Integration tests of the Docker features against a real Engine API (podman's service, started
# per executable by tests/support/PodmanService). One executable per docker_*.cpp.
file(GLOB sm_docker_integration_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/docker_*.cpp)
foreach(source ${sm_docker_integration_sources})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE sm_core sm_testsupport Qt6::Test)
  add_test(NAME ${name} COMMAND ${name})
  # podman state is private to each run, but two services at once only compete for the CPU.
  set_tests_properties(${name} PROPERTIES TIMEOUT 120 LABELS "integration;docker"
    RESOURCE_LOCK podman)
endforeach()

# system-managerd end to end: the daemon binary over real s6 trees and the project's s6-agent.
# One executable per tests/integration/daemon_*.cpp; daemon_support.h is shared.
if(TARGET system-managerd AND TARGET s6-agent AND TARGET sm_testsupport)
  find_package(Qt6 6.4 REQUIRED COMPONENTS WebSockets)
  foreach(name daemon_api daemon_cli daemon_history daemon_isolation daemon_websocket)
    add_executable(${name}_test ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp ${CMAKE_CURRENT_LIST_DIR}/daemon_support.h)
    target_link_libraries(${name}_test PRIVATE sm_testsupport Qt6::Network Qt6::WebSockets
      Qt6::Test)
    target_compile_definitions(${name}_test PRIVATE SM_VERSION="${SM_VERSION}")
    # The tests run the built daemon, which runs the built agent in --demo.
    add_dependencies(${name}_test system-managerd s6-agent)
    add_test(NAME ${name} COMMAND ${name}_test)
    set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "integration;headless")
  endforeach()
endif()

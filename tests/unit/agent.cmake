# Unit tests of the s6-agent (agent/, no Qt in the product; tests use QtTest):
# one executable per tests/unit/agent_*.cpp.
if(TARGET sm_agent_lib)
  foreach(name agent_deaths agent_json agent_logs agent_permafail agent_request_parser agent_rules
      agent_services agent_status agent_status_fresh)
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
    target_link_libraries(${name} PRIVATE sm_agent_lib sm_testsupport Qt6::Test)
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;agent")
  endforeach()
endif()

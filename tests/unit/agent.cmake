# Unit tests of the s6-agent (agent/, no Qt in the product; tests use QtTest):
# one executable per tests/unit/agent_*.cpp.
if(TARGET sm_agent_lib)
  set(sm_agent_unit_sources
    ${CMAKE_CURRENT_LIST_DIR}/agent_deaths.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_json.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_logs.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_permafail.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_request_parser.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_rules.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_services.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_status.cpp
    ${CMAKE_CURRENT_LIST_DIR}/agent_status_fresh.cpp)
  foreach(source ${sm_agent_unit_sources})
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE sm_agent_lib sm_testsupport Qt6::Test)
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;agent")
  endforeach()
endif()

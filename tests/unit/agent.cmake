# Unit tests of the s6-agent (agent/, no Qt in the product; tests use QtTest):
# one executable per tests/unit/agent_*.cpp.
if(TARGET sm_agent_lib)
  file(GLOB sm_agent_unit_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/agent_*.cpp)
  foreach(source ${sm_agent_unit_sources})
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE sm_agent_lib sm_testsupport Qt6::Test)
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;agent")
  endforeach()
endif()

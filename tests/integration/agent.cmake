# Integration tests of the s6-agent: real s6-svscan trees (S6Tree), the built
# s6-agent (AgentProcess), HTTP over its Unix socket. One executable per
# source listed below; agent_client.* is the shared raw HTTP client.
if(TARGET s6-agent)
  add_library(sm_agent_testclient STATIC ${CMAKE_CURRENT_LIST_DIR}/agent_client.cpp
                                         ${CMAKE_CURRENT_LIST_DIR}/agent_client.h)
  target_include_directories(sm_agent_testclient PUBLIC ${CMAKE_CURRENT_LIST_DIR} ${HTTP_PARSER_INCLUDE_DIR})
  target_link_libraries(sm_agent_testclient PUBLIC sm_testsupport Qt6::Core ${HTTP_PARSER_STATIC})
  foreach(base agent_cli agent_deaths agent_events agent_live_status agent_logs_live agent_overlay
      agent_permafail agent_robustness agent_routes)
    set(name it_${base})
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${base}.cpp)
    target_link_libraries(${name} PRIVATE sm_agent_testclient Qt6::Test)
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    add_dependencies(${name} s6-agent)
    if(NOT SM_SANITIZE)
      target_compile_definitions(${name} PRIVATE SM_AGENT_STATIC=1)
    endif()
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "integration;agent")
  endforeach()
endif()

# The dashboard over real parts: s6 trees, the project's s6-agent, LocalBackend, and the built
# system-managerd. Screenshots land in ${CMAKE_BINARY_DIR}/artifacts for people to look at.
if(SM_BUILD_GUI)
  foreach(name gui_cli gui_dashboard gui_demo gui_docker gui_fleet gui_history gui_hung_agent)
    set(target it_${name})
    add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
    target_link_libraries(${target} PRIVATE sm_gui sm_testsupport Qt6::Test)
    target_compile_definitions(${target} PRIVATE SM_ARTIFACTS_DIR="${CMAKE_BINARY_DIR}/artifacts")
    foreach(dependency s6-agent system-managerd system-manager)
      if(TARGET ${dependency})
        add_dependencies(${target} ${dependency})
      endif()
    endforeach()
    add_test(NAME ${target} COMMAND ${target})
    set_tests_properties(${target} PROPERTIES TIMEOUT 60 LABELS "integration;gui"
      ENVIRONMENT "QT_QPA_PLATFORM=offscreen;XDG_CONFIG_HOME=${CMAKE_BINARY_DIR}/test-home/${target}")
  endforeach()
endif()

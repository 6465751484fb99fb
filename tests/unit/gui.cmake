# Unit tests of the dashboard (gui/) and RemoteBackend: one executable per gui_*.cpp.
if(SM_BUILD_GUI)
  foreach(name gui_connect_dialog gui_fleet gui_history gui_models gui_remote_backend gui_text
      gui_widgets)
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp ${CMAKE_CURRENT_LIST_DIR}/gui_http_peer.h)
    target_link_libraries(${name} PRIVATE sm_gui sm_fakebackend Qt6::Test)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;gui"
      ENVIRONMENT "QT_QPA_PLATFORM=offscreen;XDG_CONFIG_HOME=${CMAKE_BINARY_DIR}/test-home/${name}")
  endforeach()
endif()

# Unit tests of the dashboard (gui/) and RemoteBackend: one executable per gui_*.cpp.
if(SM_BUILD_GUI)
  set(sm_gui_unit_sources
    ${CMAKE_CURRENT_LIST_DIR}/gui_connect_dialog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gui_fleet.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gui_history.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gui_models.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gui_remote_backend.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gui_text.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gui_widgets.cpp)
  foreach(source ${sm_gui_unit_sources})
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} ${source} ${CMAKE_CURRENT_LIST_DIR}/gui_http_peer.h)
    target_link_libraries(${name} PRIVATE sm_gui sm_fakebackend Qt6::Test)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;gui"
      ENVIRONMENT "QT_QPA_PLATFORM=offscreen;XDG_CONFIG_HOME=${CMAKE_BINARY_DIR}/test-home/${name}")
  endforeach()
endif()

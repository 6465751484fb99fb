# REST layer of system-managerd against an in-test Backend: routes and exact bodies, validation,
# CORS, 405, the watchdog, early disconnects and shared reads. One executable per file.
if(TARGET sm_headless)
  foreach(name headless_rest headless_behaviour headless_routes)
    add_executable(${name}_test ${name}.cpp headless_fixture.h)
    target_link_libraries(${name}_test PRIVATE sm_headless sm_fakebackend Qt6::Test)
    target_include_directories(${name}_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
    add_test(NAME ${name} COMMAND ${name}_test)
    set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "unit;headless")
  endforeach()
endif()

# REST layer of system-managerd, against an in-test Backend (routing, validation, CORS, watchdog).
if(TARGET sm_headless)
  add_executable(headless_rest_test headless_rest.cpp headless_fakebackend.h)
  target_link_libraries(headless_rest_test PRIVATE sm_headless Qt6::Test)
  add_test(NAME headless_rest COMMAND headless_rest_test)
  set_tests_properties(headless_rest PROPERTIES TIMEOUT 60 LABELS "unit;headless")
endif()

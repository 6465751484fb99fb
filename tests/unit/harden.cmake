# Access control and request bounds of the REST layer (api.tokens, 401/403, 413, the access log).
if(TARGET sm_headless)
  add_executable(harden_auth_test harden_auth.cpp headless_fakebackend.h)
  target_link_libraries(harden_auth_test PRIVATE sm_headless Qt6::Test)
  add_test(NAME harden_auth COMMAND harden_auth_test)
  set_tests_properties(harden_auth PROPERTIES TIMEOUT 60 LABELS "unit;headless;harden")
endif()

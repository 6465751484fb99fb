# The original service's recorded scenario replayed against system-managerd, the project's
# s6-agent and a real s6 tree: every answer must cover the original's.
if(TARGET system-managerd AND TARGET s6-agent AND TARGET sm_testsupport)
  add_executable(compat_original ${CMAKE_CURRENT_LIST_DIR}/compat_original.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/daemon_support.h)
  target_link_libraries(compat_original PRIVATE sm_testsupport Qt6::Network Qt6::Test)
  add_dependencies(compat_original system-managerd s6-agent)
  add_test(NAME compat_original COMMAND compat_original)
  set_tests_properties(compat_original PROPERTIES TIMEOUT 60 LABELS "integration;headless;compat")
endif()

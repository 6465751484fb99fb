# GET /metrics against an in-test Backend (metrics_text), and the shipped Prometheus rules and
# example config of packaging/prometheus checked and unit-tested by Debian's promtool.
if(TARGET sm_headless)
  add_executable(metrics_text metrics_text.cpp headless_fixture.h live_sseclient.h)
  target_link_libraries(metrics_text PRIVATE sm_headless sm_fakebackend Qt6::Test)
  target_include_directories(metrics_text PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  add_test(NAME metrics_text COMMAND metrics_text)
  set_tests_properties(metrics_text PROPERTIES TIMEOUT 60 LABELS "unit;metrics")
endif()

set(sm_prometheus_dir ${PROJECT_SOURCE_DIR}/packaging/prometheus)
find_program(SM_PROMTOOL promtool)
foreach(check "test;rules;alerts_test.yml" "check;rules;alerts.yml"
              "check;config;prometheus.yml")
  list(JOIN check "_" name)
  string(REPLACE ".yml" "" name "promtool_${name}")
  if(SM_PROMTOOL)
    add_test(NAME ${name} COMMAND ${SM_PROMTOOL} ${check} WORKING_DIRECTORY ${sm_prometheus_dir})
  else()
    # Reported as skipped, with what to install (see sm_test_defaults).
    add_test(NAME ${name} COMMAND sh -c "echo 'SKIP   : promtool is missing (scripts/bootstrap installs prometheus)'; echo 'Totals: 0 passed, 0 failed, 1 skipped'")
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "unit;metrics")
endforeach()

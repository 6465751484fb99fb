# Unit tests of the core library: one executable per tests/unit/core_*.cpp.
foreach(name core_agent_errors core_config core_fleet_file core_history core_http_client
    core_http_parser core_model_json core_rules core_status_splice)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
  target_link_libraries(${name} PRIVATE sm_core Qt6::Test)
  target_compile_definitions(${name} PRIVATE
    SM_CORE_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/../fixtures" SM_CORE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;core")
endforeach()

# Unit tests of the core library: one executable per tests/unit/core_*.cpp.
set(sm_core_unit_sources
  ${CMAKE_CURRENT_LIST_DIR}/core_agent_errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_fleet_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_history.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_http_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_http_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_model_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_rules.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_status_splice.cpp)
foreach(source ${sm_core_unit_sources})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE sm_core Qt6::Test)
  target_compile_definitions(${name} PRIVATE
    SM_CORE_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/../fixtures" SM_CORE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;core")
endforeach()

# Unit tests of the core library (model JSON, HTTP client, config, agents).
function(sm_core_unit_test name)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp ${ARGN})
  target_link_libraries(${name} PRIVATE sm_core Qt6::Test)
  target_compile_definitions(${name} PRIVATE SM_CORE_TEST_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/../fixtures")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;core")
endfunction()

foreach(test core_model_json)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${test}.cpp)
    sm_core_unit_test(${test})
  endif()
endforeach()

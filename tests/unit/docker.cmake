# Unit tests of core/docker's Engine-format parsers: one executable per tests/unit/docker_*.cpp,
# linked with sm_core (the parsers are compiled once, there).
foreach(name docker_frames docker_parse)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
  target_link_libraries(${name} PRIVATE sm_core Qt6::Test)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;docker")
endforeach()

# Unit tests of core/docker's Engine-format parsers: one executable per tests/unit/docker_*.cpp,
# linked with sm_core (the parsers are compiled once, there).
set(sm_docker_unit_sources
  ${CMAKE_CURRENT_LIST_DIR}/docker_frames.cpp
  ${CMAKE_CURRENT_LIST_DIR}/docker_parse.cpp)
foreach(source ${sm_docker_unit_sources})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE sm_core Qt6::Test)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;docker")
endforeach()

# Unit tests of core/docker: one executable per tests/unit/docker_*.cpp.
# The Engine-format parsers have no dependency beyond Qt Core; they are built once more into a
# small library so that these tests and the fuzz replayers need nothing else from sm_core.
set(sm_docker_parser_sources
  ${PROJECT_SOURCE_DIR}/core/docker/DockerFrames.cpp
  ${PROJECT_SOURCE_DIR}/core/docker/DockerEvents.cpp
  ${PROJECT_SOURCE_DIR}/core/docker/DockerJson.cpp
  ${PROJECT_SOURCE_DIR}/core/docker/DockerTime.cpp)
add_library(sm_docker_parsers STATIC ${sm_docker_parser_sources})
target_include_directories(sm_docker_parsers PUBLIC ${PROJECT_SOURCE_DIR}/core)
target_link_libraries(sm_docker_parsers PUBLIC Qt6::Core)

file(GLOB sm_docker_unit_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/docker_*.cpp)
foreach(source ${sm_docker_unit_sources})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE sm_docker_parsers Qt6::Test)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 30 LABELS "unit;docker")
endforeach()

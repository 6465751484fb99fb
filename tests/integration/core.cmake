# Integration tests of the core library against a real s6-svscan tree (S6Tree) and the project's
# s6-agent (AgentProcess): AgentClient and LocalBackend end to end. One executable per
# tests/integration/core_*.cpp, named it_core_*.
if(TARGET s6-agent)
  set(sm_core_it_sources
    ${CMAKE_CURRENT_LIST_DIR}/core_backend.cpp)
  foreach(source ${sm_core_it_sources})
    get_filename_component(name ${source} NAME_WE)
    set(name it_${name})
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE sm_core sm_testsupport Qt6::Test)
    add_dependencies(${name} s6-agent)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "integration;core")
  endforeach()
endif()

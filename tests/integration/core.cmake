# Integration tests of the core library against a real s6-svscan tree (S6Tree) and the project's
# s6-agent (AgentProcess): AgentClient and LocalBackend end to end. One executable per
# tests/integration/core_*.cpp, named it_core_*.
if(TARGET s6-agent)
  foreach(base core_backend)
    set(name it_${base})
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${base}.cpp)
    target_link_libraries(${name} PRIVATE sm_core sm_testsupport Qt6::Test)
    add_dependencies(${name} s6-agent)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS "integration;core")
  endforeach()
endif()

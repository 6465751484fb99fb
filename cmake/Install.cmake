# Install layout and Debian packages (CPack): system-managerd (no Widgets), system-manager (GUI),
# s6-agent (static, no dependencies).
include(GNUInstallDirs)

set(SM_CONFIG_DIR ${CMAKE_INSTALL_SYSCONFDIR}/system-manager)
set(SM_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/system-manager)

if(TARGET system-managerd)
  install(TARGETS system-managerd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT daemon)
  install(FILES config.yml DESTINATION ${SM_CONFIG_DIR} COMPONENT daemon)
  install(FILES packaging/systemd/system-managerd.service
          DESTINATION lib/systemd/system COMPONENT daemon)
  install(FILES README.md CHANGELOG.md DESTINATION ${SM_SHARE_DIR} COMPONENT daemon OPTIONAL)
  if(EXISTS ${PROJECT_SOURCE_DIR}/resources/openapi)
    install(DIRECTORY resources/openapi/ DESTINATION ${SM_SHARE_DIR}/openapi COMPONENT daemon)
  endif()
  # A scrape job for GET /metrics, alert rules and their promtool tests.
  install(FILES packaging/prometheus/prometheus.yml packaging/prometheus/alerts.yml
                packaging/prometheus/alerts_test.yml
          DESTINATION ${SM_SHARE_DIR}/prometheus COMPONENT daemon)
endif()

if(TARGET system-manager)
  install(TARGETS system-manager RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT gui)
  if(EXISTS ${PROJECT_SOURCE_DIR}/resources/gui/system-manager.desktop)
    install(FILES resources/gui/system-manager.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT gui)
  endif()
  if(EXISTS ${PROJECT_SOURCE_DIR}/resources/gui/system-manager.svg)
    install(FILES resources/gui/system-manager.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps COMPONENT gui)
  endif()
endif()

if(TARGET s6-agent)
  install(TARGETS s6-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent)
  install(FILES packaging/systemd/s6-agent.service DESTINATION lib/systemd/system COMPONENT agent)
  if(EXISTS ${PROJECT_SOURCE_DIR}/resources/s6-overlay)
    install(DIRECTORY resources/s6-overlay/ DESTINATION ${SM_SHARE_DIR}/s6-overlay COMPONENT agent
            USE_SOURCE_PERMISSIONS)
  endif()
endif()

set(CPACK_PACKAGE_NAME system-manager)
set(CPACK_PACKAGE_VENDOR "system-manager")
set(CPACK_PACKAGE_CONTACT "system-manager maintainers <maintainers@system-manager.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Control plane for s6-supervised ROS 2 robot containers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_COMPONENTS_GROUPING IGNORE)

set(CPACK_DEBIAN_DAEMON_PACKAGE_NAME system-managerd)
set(CPACK_COMPONENT_DAEMON_DESCRIPTION
    "system-manager REST daemon: s6 services and Docker containers of a robot over HTTP")
set(CPACK_DEBIAN_DAEMON_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/daemon/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/daemon/postrm
    ${PROJECT_SOURCE_DIR}/packaging/debian/daemon/conffiles)
# Loaded at run time, so shlibdeps cannot see it: Qt's SQLite driver (the history store).
set(CPACK_DEBIAN_DAEMON_PACKAGE_DEPENDS "libqt6sql6-sqlite")

set(CPACK_DEBIAN_GUI_PACKAGE_NAME system-manager)
# Loaded at run time, so shlibdeps cannot see them: the X11 platform plugin and SVG icons.
set(CPACK_DEBIAN_GUI_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6svg6, libqt6sql6-sqlite")
set(CPACK_COMPONENT_GUI_DESCRIPTION
    "system-manager dashboard: see, control and read the logs of a robot's services")

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME s6-agent)
set(CPACK_COMPONENT_AGENT_DESCRIPTION
    "s6-agent: HTTP on a Unix socket for the s6 services of one container (static)")
# Static binary: nothing to depend on.
set(CPACK_DEBIAN_AGENT_PACKAGE_SHLIBDEPS OFF)

include(CPack)

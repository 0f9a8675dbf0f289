# install.cmake: `make install` / `cmake --install`: the binary, its data, and configuration that names the installed paths.
#
# Where things go follows GNUInstallDirs (CMAKE_INSTALL_PREFIX, default /usr/local; with
# /usr, as the Debian package builds it, the configuration goes to /etc). The directories
# blogd writes at run time are systemd's (LogsDirectory=, RuntimeDirectory=, StateDirectory=
# of conf/blogd.service.in, conf/blogd.socket), so they do not move with the prefix.
include(GNUInstallDirs)

set(BLOGD_SHARE_DIR "${CMAKE_INSTALL_FULL_DATADIR}/blogd")
set(BLOGD_SBIN "${CMAKE_INSTALL_FULL_SBINDIR}/blogd")
set(BLOGD_CONF_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/blogd")
set(BLOGD_CONF "${BLOGD_CONF_DIR}/blogd.conf")
set(BLOGD_DOC_DIR "${CMAKE_INSTALL_FULL_DOCDIR}")
set(BLOGD_LOG_DIR /var/log/blogd)
set(BLOGD_SOCKET /run/blogd/blogd.sock)
# A directory of the service's own (RuntimeDirectory=blogd/master): /run/blogd itself is the
# socket unit's, and a RuntimeDirectory there would be given to blogd with the socket in it.
set(BLOGD_PID_FILE /run/blogd/master/blogd.pid)
set(BLOGD_STATE_DIR /var/lib/blogd)
set(BLOGD_NGINX_SITE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/nginx/sites-available/blogd")
# Where the systemd units go: -DBLOGD_SYSTEMD_UNITDIR=DIR (the package: /lib/systemd/system),
# else PREFIX/lib/systemd/system (systemd reads /usr/local/lib/systemd/system too).
if(NOT BLOGD_SYSTEMD_UNITDIR)
  set(BLOGD_SYSTEMD_UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()

# The installed blogd.conf: conf/blogd.conf with the lines of these keys set to the installed
# paths, every other line (comments, safe defaults) as it is.
file(READ ${CMAKE_SOURCE_DIR}/conf/blogd.conf BLOGD_CONF_TEXT)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/conf/blogd.conf)
foreach(pair
        "listen=unix:${BLOGD_SOCKET}"
        "templates=${BLOGD_SHARE_DIR}/templates"
        "sql_dir=${BLOGD_SHARE_DIR}/sql"
        "log_file=${BLOGD_LOG_DIR}/blogd.log"
        "pid_file=${BLOGD_PID_FILE}"
        "csrf_secret_file=${BLOGD_STATE_DIR}/csrf.secret")
  string(FIND "${pair}" "=" eq)
  string(SUBSTRING "${pair}" 0 ${eq} key)
  math(EXPR eq "${eq} + 1")
  string(SUBSTRING "${pair}" ${eq} -1 value)
  if(NOT BLOGD_CONF_TEXT MATCHES "\n${key} =[^\n]*\n")
    message(FATAL_ERROR "conf/blogd.conf has no line `${key} = ...` to set for the installed configuration")
  endif()
  string(REGEX REPLACE "\n${key} =[^\n]*\n" "\n${key} = ${value}\n" BLOGD_CONF_TEXT "${BLOGD_CONF_TEXT}")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/install/blogd.conf "${BLOGD_CONF_TEXT}")

# The units and the nginx site name the binary, the configuration, the static files.
configure_file(conf/blogd.service.in install/blogd.service @ONLY)
configure_file(conf/nginx-site.conf.in install/nginx-site.conf @ONLY)
configure_file(conf/logrotate install/logrotate COPYONLY)

install(TARGETS blogd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(DIRECTORY templates static DESTINATION ${CMAKE_INSTALL_DATADIR}/blogd)
install(DIRECTORY sql DESTINATION ${CMAKE_INSTALL_DATADIR}/blogd FILES_MATCHING PATTERN "*.sql")
# It holds the database password: 0640 (the package gives it to root:blogd). A blogd.conf
# already there is the administrator's: it stays, and the new one is put beside it as
# blogd.conf.new (dpkg does the same for the package's conffile with its own questions).
install(CODE "
  set(name blogd.conf)
  if(EXISTS \"\$ENV{DESTDIR}${BLOGD_CONF}\")
    set(name blogd.conf.new)
    message(STATUS \"Keeping: \$ENV{DESTDIR}${BLOGD_CONF} (the installed paths' version: \${name})\")
  endif()
  # (file(INSTALL) puts DESTDIR in front of an absolute DESTINATION itself)
  file(INSTALL DESTINATION \"${BLOGD_CONF_DIR}\" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
       RENAME \"\${name}\" FILES \"${CMAKE_BINARY_DIR}/install/blogd.conf\")
")
# FULL: with PREFIX=/usr the configuration goes to /etc, not /usr/etc.
install(FILES ${CMAKE_BINARY_DIR}/install/nginx-site.conf
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/nginx/sites-available RENAME blogd)
install(FILES ${CMAKE_BINARY_DIR}/install/logrotate DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/logrotate.d
        RENAME blogd)
install(FILES ${CMAKE_BINARY_DIR}/install/blogd.service conf/blogd.socket DESTINATION ${BLOGD_SYSTEMD_UNITDIR})
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES doc/blogd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

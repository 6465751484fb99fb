#pragma once

#include <QByteArray>
#include <QString>

namespace sm {

// Replaces path's content with data, mode rw-r--r--, or rwxr-xr-x when executable: s6 runs a
// service's `run` and `finish` only when they are executable. False when any step fails.
bool writeFile(const QString &path, const QByteArray &data, bool executable);

// Kills (SIGKILL) every process, other than this one, whose working directory is dir or lies
// under it. s6-svscan going away does not always take every s6-supervise, service and s6-log
// with it (a supervisor killed mid-shutdown orphans its service); all of them run with their
// working directory inside their service tree, which is how they are found. One readlink()
// per process on the machine.
void killProcessesIn(const QString &dir);

} // namespace sm

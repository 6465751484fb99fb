#pragma once

#include "model/Types.h"

#include <QColor>
#include <QIcon>
#include <QString>

#include <optional>

namespace sm {

// What a technician needs to tell apart at a glance; drawn as a colored badge.
// Failed: s6-permafailon stopped it, and s6 will not restart it (distinct from a plain down).
enum class BadgeState { Up, Down, CrashLoop, Failed, Paused, Transition, Unknown };

BadgeState serviceBadge(const ServiceStatus &status);
// Docker's state word (running, exited, created, paused, restarting, dead).
BadgeState dockerBadge(const QString &state);
QString badgeText(BadgeState state);
QColor badgeColor(BadgeState state);
// Green, red, or grey while not known yet: the dot of agents, Docker and robots.
QColor reachabilityColor(std::optional<bool> reachable);
// A small filled circle, the reachability mark of containers and robots. Needs the GUI app.
QIcon dotIcon(const QColor &color);

// "45s", "3m 07s", "2h 05m", "3d 4h".
QString formatDuration(qint64 seconds);
// An ISO 8601 stamp shown in local time, "yyyy-MM-dd HH:mm:ss"; empty stays empty.
QString formatTimestamp(const QString &iso);

} // namespace sm

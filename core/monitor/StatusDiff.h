#pragma once

#include "model/Types.h"

#include <QList>
#include <QString>

namespace sm {

// Whether two statuses of one service describe the same state. uptime_seconds and raw (which
// prints the uptime) tick every second without anything happening, so they are ignored; a
// restart still shows through pid and since, a crash through is_up, exit_code and signal. The
// death counts go down as time passes, so only what they mean counts: crash loop or not
// (which also ends with time alone), failed or not.
bool sameServiceState(const ServiceStatus &a, const ServiceStatus &b);

// What changed between two polls of one agent: services added or in a new state (in the new
// poll's order) and the ids of services that disappeared.
struct StatusDiff {
    QList<ServiceStatus> changed;
    QStringList removed;
    bool isEmpty() const { return changed.isEmpty() && removed.isEmpty(); }
};
StatusDiff diffStatuses(const QList<ServiceStatus> &before, const QList<ServiceStatus> &after);

} // namespace sm

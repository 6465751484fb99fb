#include "monitor/StatusDiff.h"

#include <QHash>
#include <QSet>

namespace sm {

bool sameServiceState(const ServiceStatus &a, const ServiceStatus &b) {
    return a.isUp == b.isUp && a.pid == b.pid && a.ready == b.ready && a.paused == b.paused &&
           a.wantUp == b.wantUp && a.exitCode == b.exitCode && a.signal == b.signal &&
           a.normallyUp == b.normallyUp && a.since == b.since &&
           a.crashLooping() == b.crashLooping() && a.failed() == b.failed();
}

StatusDiff diffStatuses(const QList<ServiceStatus> &before, const QList<ServiceStatus> &after) {
    QHash<QString, const ServiceStatus *> previous;
    previous.reserve(before.size());
    for (const ServiceStatus &status : before)
        previous.insert(status.service, &status);

    StatusDiff diff;
    QSet<QString> seen;
    seen.reserve(after.size());
    for (const ServiceStatus &status : after) {
        seen.insert(status.service);
        const ServiceStatus *old = previous.value(status.service);
        if (!old || !sameServiceState(*old, status))
            diff.changed.append(status);
    }
    for (const ServiceStatus &status : before) {
        if (!seen.contains(status.service))
            diff.removed.append(status.service);
    }
    return diff;
}

} // namespace sm

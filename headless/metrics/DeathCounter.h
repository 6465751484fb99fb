#pragma once

#include "model/Types.h"

#include <QHash>
#include <QPair>
#include <QString>

#include <optional>

namespace sm {

// Counts the deaths of each service from the statuses the daemon sees go by, for
// system_manager_service_deaths_total. Two signs of a death, one of which may be missing:
//  - the status goes from up to down (missed when the agent merges quick changes into one
//    event, or a restart is quicker than a poll);
//  - the agent's own tally, read from s6's supervise/death_tally, shows a new death:
//    deathsLastMinute went up, or lastDeath changed (neither comes from older agents).
// One death usually shows both ways at once, so a status counts the larger of the two, never
// their sum. What happened before the daemon first saw a service is not counted.
class DeathCounter final {
public:
    // How many deaths `status` shows since the last status seen of the same service.
    int observe(const ServiceStatus &status);
    // The service is gone: a later one of the same name starts afresh.
    void forget(const QString &container, const QString &service);

private:
    struct Seen {
        bool up = false;
        std::optional<ServiceDeath> lastDeath;
        std::optional<int> deathsLastMinute;
    };
    QHash<QPair<QString, QString>, Seen> m_seen;
};

} // namespace sm

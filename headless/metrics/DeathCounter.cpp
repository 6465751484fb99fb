#include "DeathCounter.h"

#include <algorithm>
#include <utility>

namespace sm {

int DeathCounter::observe(const ServiceStatus &status) {
    const Seen now{status.isUp, status.lastDeath, status.deathsLastMinute};
    const auto key = qMakePair(status.container, status.service);
    const auto it = m_seen.find(key);
    if (it == m_seen.end()) {
        m_seen.insert(key, now);
        return 0;
    }
    const Seen before = std::exchange(*it, now);
    const int wentDown = before.up && !now.up ? 1 : 0;
    // The tally's count only falls as deaths age past a minute: a rise is that many new ones.
    // When as many aged out as came, the newest death still shows as a new lastDeath.
    int tallied = 0;
    if (before.deathsLastMinute && now.deathsLastMinute &&
        *now.deathsLastMinute > *before.deathsLastMinute)
        tallied = *now.deathsLastMinute - *before.deathsLastMinute;
    else if (now.lastDeath && now.lastDeath != before.lastDeath)
        tallied = 1;
    return std::max(wentDown, tallied);
}

void DeathCounter::forget(const QString &container, const QString &service) {
    m_seen.remove(qMakePair(container, service));
}

} // namespace sm

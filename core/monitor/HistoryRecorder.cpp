#include "HistoryRecorder.h"

#include "backend/Backend.h"
#include "history/HistoryStore.h"
#include "model/HistoryJson.h"

namespace sm {

namespace {

QString keyOf(const QString &container, const QString &service) {
    return container + u'/' + service;
}

HistoryEvent serviceEvent(const ServiceStatus &s, const char *kind, QString detail) {
    HistoryEvent e;
    e.source = QStringLiteral("service");
    e.container = s.container;
    e.service = s.service;
    e.kind = QLatin1String(kind);
    e.detail = std::move(detail);
    return e;
}

QString howItEnded(const std::optional<int> &exitCode, const std::optional<QString> &signal) {
    if (signal)
        return QStringLiteral("killed by %1").arg(*signal);
    if (exitCode)
        return QStringLiteral("exited with code %1").arg(*exitCode);
    return QStringLiteral("ended");
}

// The agent's death tally (its `last_death`), when it reads one: then every death is there,
// even one restarted too fast for a status in between to show it down.
bool hasTally(const ServiceStatus &s) {
    return s.deathsLastMinute.has_value();
}

} // namespace

HistoryRecorder::HistoryRecorder(Backend *backend, HistoryStore *store, QObject *parent)
    : QObject(parent)
    , m_store(store) {
    connect(backend, &Backend::serviceChanged, this, &HistoryRecorder::onService);
    connect(backend, &Backend::serviceRemoved, this, &HistoryRecorder::onRemoved);
    connect(backend, &Backend::agentReachabilityChanged, this, &HistoryRecorder::onAgent);
    connect(backend, &Backend::dockerEvent, this, &HistoryRecorder::onDocker);
}

QList<HistoryEvent> HistoryRecorder::changes(const ServiceStatus &before,
                                             const ServiceStatus &after) {
    QList<HistoryEvent> out;
    const bool wantedUp = after.wantUp.value_or(true);
    if (!before.isUp && after.isUp)
        out.append(serviceEvent(after, "up", QStringLiteral("started")));
    if (before.isUp && !after.isUp) {
        if (!wantedUp) {
            HistoryEvent e = serviceEvent(
                after, "down",
                QStringLiteral("stopped, %1").arg(howItEnded(after.exitCode, after.signal)));
            e.exitCode = after.exitCode;
            e.signal = after.signal;
            out.append(e);
        } else if (!hasTally(after)) {
            // An older agent: the status is all there is to go by.
            HistoryEvent e = serviceEvent(after, "died", howItEnded(after.exitCode, after.signal));
            e.exitCode = after.exitCode;
            e.signal = after.signal;
            out.append(e);
        }
    }
    if (hasTally(after) && wantedUp && after.lastDeath && after.lastDeath != before.lastDeath) {
        HistoryEvent died = serviceEvent(
            after, "died", howItEnded(after.lastDeath->exitCode, after.lastDeath->signal));
        died.exitCode = after.lastDeath->exitCode;
        died.signal = after.lastDeath->signal;
        // When s6 recorded it, to the second, rather than when its news arrived.
        if (const auto at = parseIsoTime(after.lastDeath->time))
            died.timeMs = *at;
        out.append(died);
    }
    if (!before.ready.value_or(false) && after.ready.value_or(false) && after.isUp)
        out.append(serviceEvent(after, "ready", QStringLiteral("ready")));
    if (!before.crashLooping() && after.crashLooping())
        out.append(serviceEvent(after, "crash_loop_entered", QStringLiteral("crash loop")));
    if (before.crashLooping() && !after.crashLooping())
        out.append(serviceEvent(after, "crash_loop_left", QStringLiteral("crash loop over")));
    if (!before.failed() && after.failed())
        out.append(serviceEvent(after, "failed", QStringLiteral("s6-permafailon gave up on it")));
    return out;
}

void HistoryRecorder::onService(const ServiceStatus &status) {
    if (!m_store)
        return;
    const QString key = keyOf(status.container, status.service);
    const auto it = m_last.find(key);
    if (it != m_last.end()) {
        for (HistoryEvent &e : changes(*it, status))
            m_store->record(std::move(e));
        *it = status;
    } else {
        m_last.insert(key, status);
    }
}

void HistoryRecorder::onRemoved(const QString &container, const QString &service) {
    if (!m_store)
        return;
    m_last.remove(keyOf(container, service));
    HistoryEvent e;
    e.source = QStringLiteral("service");
    e.container = container;
    e.service = service;
    e.kind = QStringLiteral("removed");
    e.detail = QStringLiteral("no longer listed by the agent");
    m_store->record(std::move(e));
}

void HistoryRecorder::onAgent(const QString &container, bool reachable) {
    if (!m_store)
        return;
    HistoryEvent e;
    e.source = QStringLiteral("agent");
    e.container = container;
    e.kind = reachable ? QStringLiteral("reachable") : QStringLiteral("unreachable");
    e.detail = reachable ? QStringLiteral("agent reachable") : QStringLiteral("agent unreachable");
    m_store->record(std::move(e));
}

void HistoryRecorder::onDocker(const DockerEvent &event) {
    if (!m_store)
        return;
    HistoryEvent e;
    e.source = QStringLiteral("docker");
    e.container = event.container;
    e.kind = event.action;
    e.detail = QStringLiteral("Docker container %1: %2").arg(event.container, event.action);
    m_store->record(std::move(e));
}

} // namespace sm

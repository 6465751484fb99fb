#include "HistoryRecorder.h"

#include "backend/Backend.h"
#include "history/HistoryStore.h"
#include "model/HistoryJson.h"

#include <QDateTime>

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
    connect(backend, &Backend::controlSent, this, &HistoryRecorder::onControl);
}

QList<HistoryEvent> HistoryRecorder::changes(const ServiceStatus &before,
                                             const ServiceStatus &after,
                                             std::optional<qint64> restartAskedMs) {
    QList<HistoryEvent> out;
    // s6 carries out a restart as a SIGTERM and a start: a death, but one that was asked for.
    const auto died = [&](const std::optional<int> &exitCode, const std::optional<QString> &signal,
                          std::optional<qint64> atMs) {
        // The tally's time is to the second: a death in the second of the request is its own.
        const bool asked = restartAskedMs && (!atMs || *atMs >= *restartAskedMs / 1000 * 1000);
        HistoryEvent e =
            asked
                ? serviceEvent(
                      after, "restarted",
                      QStringLiteral("restarted on request, %1").arg(howItEnded(exitCode, signal)))
                : serviceEvent(after, "died", howItEnded(exitCode, signal));
        e.exitCode = exitCode;
        e.signal = signal;
        if (atMs)
            e.timeMs = *atMs; // when s6 recorded it rather than when its news arrived
        return e;
    };
    const bool wantedUp = after.wantUp.value_or(true);
    if (!before.isUp && after.isUp)
        out.append(serviceEvent(after, "up", QStringLiteral("started")));
    // Asked to stop while it was down anyway (between two deaths of a crash loop, say): no
    // process ended, but s6 will no longer start it. (s6-permafailon's stop is "failed".)
    if (!before.isUp && !after.isUp && before.wantUp.value_or(false) && !wantedUp &&
        !after.failed())
        out.append(serviceEvent(after, "down", QStringLiteral("stopped while it was down")));
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
            out.append(died(after.exitCode, after.signal, std::nullopt));
        }
    }
    // The tally's times are to the second: two deaths in one second look alike, but the count
    // of the last hour still goes up.
    const bool newDeath =
        after.lastDeath && (after.lastDeath != before.lastDeath ||
                            after.deathsLastHour.value_or(0) > before.deathsLastHour.value_or(0));
    if (hasTally(after) && wantedUp && newDeath)
        out.append(died(after.lastDeath->exitCode, after.lastDeath->signal,
                        parseIsoTime(after.lastDeath->time)));
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
        // A restart whose death has not shown within this long caused none (the service was
        // down already, or the agent did not carry it out).
        constexpr qint64 kRestartWindowMs = 30000;
        std::optional<qint64> asked;
        if (const auto a = m_restartAsked.constFind(key); a != m_restartAsked.constEnd()) {
            if (QDateTime::currentMSecsSinceEpoch() - *a <= kRestartWindowMs)
                asked = *a;
            else
                m_restartAsked.erase(a);
        }
        for (HistoryEvent &e : changes(*it, status, asked)) {
            if (e.kind == QLatin1String("restarted"))
                m_restartAsked.remove(key);
            m_store->record(std::move(e));
        }
        *it = status;
    } else {
        m_last.insert(key, status);
    }
}

void HistoryRecorder::onControl(const QString &container, const QString &service,
                                const QString &action, bool sent) {
    if (action != QLatin1String("restart"))
        return;
    if (sent)
        m_restartAsked.insert(keyOf(container, service), QDateTime::currentMSecsSinceEpoch());
    else
        m_restartAsked.remove(keyOf(container, service));
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

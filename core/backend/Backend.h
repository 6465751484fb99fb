#pragma once

#include "async/Async.h"
#include "backend/DockerBackend.h"
#include "model/ApiError.h"
#include "model/History.h"
#include "model/ModelJson.h"
#include "model/Types.h"

#include <QObject>

namespace sm {

// What the live updates have said so far: the state a new subscriber starts from.
struct LiveSnapshot {
    QList<QPair<QString, bool>> agents; // reachability, containers in config order
    QList<ServiceStatus> services;      // containers in config order, services in agent order
};

// The one asynchronous interface the REST API and the GUI both use: the services of the
// containers' agents here, the Docker half in DockerBackend, and the live updates of both as
// signals. LocalBackend talks to the agents and Docker on this host; RemoteBackend to a
// system-managerd over HTTP. Every call answers exactly once through its callback, on the
// caller's thread, never synchronously inside the call. A callback is dropped unanswered only
// if `context` is destroyed first.
class Backend : public QObject, public DockerBackend {
    Q_OBJECT
public:
    // The name callers have always used; the type lives on the ground floor (async/Async.h).
    template <typename T> using Callback = sm::Callback<T>;

    using QObject::QObject;
    ~Backend() override = default;

    virtual void containers(QObject *context, Callback<QList<ContainerInfo>> done) = 0;
    virtual void services(QObject *context, const QString &container,
                          Callback<QList<ServiceInfo>> done) = 0;
    virtual void statuses(QObject *context, const QString &container,
                          Callback<QList<ServiceStatus>> done) = 0;
    virtual void status(QObject *context, const QString &container, const QString &service,
                        Callback<ServiceStatus> done) = 0;
    // The same two reads as the REST API's JSON (the array of statuses; one status), as
    // toJson() writes them. A backend may build them without reading the values first, and
    // say for which moment they stand.
    virtual void statusesJson(QObject *context, const QString &container,
                              Callback<StatusJson> done) {
        statuses(context, container, [done = std::move(done)](Result<QList<ServiceStatus>> list) {
            done(list.ok() ? Result<StatusJson>(StatusJson{toJsonArray(list.value())})
                           : Result<StatusJson>(list.error()));
        });
    }
    virtual void statusJson(QObject *context, const QString &container, const QString &service,
                            Callback<StatusJson> done) {
        status(context, container, service, [done = std::move(done)](Result<ServiceStatus> s) {
            done(s.ok() ? Result<StatusJson>(StatusJson{toJson(s.value())})
                        : Result<StatusJson>(s.error()));
        });
    }
    virtual void control(QObject *context, const QString &container, const QString &service,
                         const QString &action, Callback<ControlResult> done) = 0;
    virtual void logs(QObject *context, const QString &container, const QString &service,
                      const LogQuery &query, Callback<LogChunk> done) = 0;
    // Empties the service's `current` log; followers go on from its new start.
    virtual void clearLogs(QObject *context, const QString &container, const QString &service,
                           Callback<LogsCleared> done) = 0;
    // The deaths s6 recorded for the service, newest first (501 from an agent without them).
    virtual void deaths(QObject *context, const QString &container, const QString &service,
                        Callback<ServiceDeaths> done) = 0;
    virtual void runScript(QObject *context, const QString &container, const QString &service,
                           Callback<RunScript> done) = 0;
    virtual void setRunScript(QObject *context, const QString &container, const QString &service,
                              const QString &content, Callback<RunScript> done) = 0;
    // Streams start with the last `tail` lines, then follow. The caller owns the stream.
    virtual LogStream *followLogs(const QString &container, const QString &service, int tail) = 0;

    virtual void health(QObject *context, Callback<Health> done) = 0;

    // The history store's events and audit entries, newest first (GET /history, GET /audit).
    // A backend without a store answers 501.
    virtual void history(QObject *context, const HistoryQuery &query,
                         Callback<QList<HistoryEvent>> done) {
        Q_UNUSED(query);
        answerLater<QList<HistoryEvent>>(context, std::move(done), noHistory());
    }
    virtual void audit(QObject *context, const AuditQuery &query,
                       Callback<QList<AuditEntry>> done) {
        Q_UNUSED(query);
        answerLater<QList<AuditEntry>>(context, std::move(done), noHistory());
    }

    // The container's service states as its agent pushes them, or null when this backend
    // cannot push them (then they are polled through statuses()). The caller owns it.
    virtual ServiceFeed *watchServices(const QString &container) {
        Q_UNUSED(container);
        return nullptr;
    }

    // Whether live updates are flowing through the signals below; polling is then only the
    // fallback for what they do not carry.
    bool isLive() const { return m_live; }
    void setLive(bool live) {
        if (m_live == live)
            return;
        m_live = live;
        Q_EMIT liveChanged(live);
    }

    // The live state behind the signals below; empty until a source is set (LocalStack::feed).
    LiveSnapshot liveSnapshot() const { return m_liveSnapshot ? m_liveSnapshot() : LiveSnapshot{}; }
    void setLiveSnapshot(std::function<LiveSnapshot()> source) {
        m_liveSnapshot = std::move(source);
    }

Q_SIGNALS:
    // Live updates (from the StatusMonitor locally, from /events remotely).
    void serviceChanged(const sm::ServiceStatus &status);
    // A service that an agent no longer lists.
    void serviceRemoved(const QString &container, const QString &service);
    void agentReachabilityChanged(const QString &container, bool reachable);
    void dockerEvent(const sm::DockerEvent &event);
    // Whether the link to the data is alive (always true locally).
    void connectionChanged(bool connected, const QString &description);
    // A control command this backend is sending (LocalBackend), so that what follows (a
    // restart's SIGTERM) can be told from a death of the service's own. Said before it is
    // sent: the agent answers once s6 has acted, and the state change may be heard first.
    // `sent` false: it did not reach s6 after all.
    void controlSent(const QString &container, const QString &service, const QString &action,
                     bool sent);
    void liveChanged(bool live);

private:
    static ApiError noHistory() {
        return ApiError::notImplemented(QStringLiteral("No history is kept here"));
    }

    std::function<LiveSnapshot()> m_liveSnapshot;
    bool m_live = false;
};

} // namespace sm

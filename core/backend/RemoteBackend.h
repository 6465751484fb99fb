#pragma once

#include "backend/Backend.h"
#include "model/Events.h"

#include <QHash>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

class QNetworkAccessManager;
class QNetworkReply;

namespace sm {

class RemoteEventStream;

// Backend over a robot's system-managerd REST API (HTTP/TCP, QNetworkAccessManager), so the
// dashboard on a laptop behaves as it does on the robot. Tracks whether the link is alive
// (every answer counts, plus a periodic GET /healthz) and follows GET /events when offered.
class RemoteBackend final : public Backend {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteBackend)
public:
    explicit RemoteBackend(const QUrl &baseUrl, const QString &token = {},
                           QObject *parent = nullptr);
    ~RemoteBackend() override;

    QUrl baseUrl() const { return m_base; }
    bool isConnected() const { return m_connected.value_or(false); }
    bool isStreamingEvents() const;
    // Per-request deadline (default 10 s).
    void setRequestTimeout(int ms) { m_timeoutMs = ms; }
    int requestTimeout() const { return m_timeoutMs; }
    // Health polling period (default 2 s); 0 stops it.
    void setHealthInterval(int ms);
    // Starts health polling and the /events subscription.
    void start();
    // The token for the requests from now on (a rotated one); /events takes it when it next
    // connects.
    void setToken(const QString &token);

    void containers(QObject *context, Callback<QList<ContainerInfo>> done) override;
    void services(QObject *context, const QString &container,
                  Callback<QList<ServiceInfo>> done) override;
    void statuses(QObject *context, const QString &container,
                  Callback<QList<ServiceStatus>> done) override;
    void status(QObject *context, const QString &container, const QString &service,
                Callback<ServiceStatus> done) override;
    void control(QObject *context, const QString &container, const QString &service,
                 const QString &action, Callback<ControlResult> done) override;
    void logs(QObject *context, const QString &container, const QString &service,
              const LogQuery &query, Callback<LogChunk> done) override;
    void deaths(QObject *context, const QString &container, const QString &service,
                Callback<ServiceDeaths> done) override;
    void runScript(QObject *context, const QString &container, const QString &service,
                   Callback<RunScript> done) override;
    void setRunScript(QObject *context, const QString &container, const QString &service,
                      const QString &content, Callback<RunScript> done) override;
    void clearLogs(QObject *context, const QString &container, const QString &service,
                   Callback<LogsCleared> done) override;
    LogStream *followLogs(const QString &container, const QString &service, int tail) override;

    void dockerContainers(QObject *context, bool all,
                          Callback<QList<DockerContainer>> done) override;
    void dockerStatus(QObject *context, const QString &name, Callback<DockerStatus> done) override;
    void dockerControl(QObject *context, const QString &name, const QString &action,
                       int timeoutSeconds, Callback<DockerControlResult> done) override;
    void dockerLogs(QObject *context, const QString &name, int tail,
                    Callback<DockerLogs> done) override;
    LogStream *followDockerLogs(const QString &name, int tail) override;

    void health(QObject *context, Callback<Health> done) override;
    void history(QObject *context, const HistoryQuery &query,
                 Callback<QList<HistoryEvent>> done) override;
    void audit(QObject *context, const AuditQuery &query,
               Callback<QList<AuditEntry>> done) override;

private:
    using JsonDone = std::function<void(Result<QJsonObject>)>;
    // extraTimeoutMs lengthens the deadline of requests that wait on purpose (a Docker stop).
    void send(QObject *context, const QByteArray &verb, const QString &path, const QUrlQuery &query,
              const QByteArray &body, JsonDone done, int extraTimeoutMs = 0);
    template <typename T, typename Read>
    void call(QObject *context, const QByteArray &verb, const QString &path, const QUrlQuery &query,
              const QByteArray &body, Callback<T> done, Read read, int extraTimeoutMs = 0);
    QNetworkRequest makeRequest(const QString &path, const QUrlQuery &query) const;
    QNetworkRequest eventsRequest() const;
    void noteReply(QNetworkReply *reply);
    void setConnected(bool connected, const QString &description);
    void pollHealth();
    // Re-emits one event of the daemon's /events as this backend's own signal.
    void publish(const Event &event);

    QNetworkAccessManager *m_nam;
    QUrl m_base;
    QByteArray m_token;
    int m_timeoutMs = 10000;
    QTimer m_healthTimer;
    bool m_healthPending = false;
    bool m_started = false;
    QHash<QString, bool> m_agentReachable;
    RemoteEventStream *m_events = nullptr;
    std::optional<bool> m_connected;
};

} // namespace sm

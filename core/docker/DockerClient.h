#pragma once

#include "async/Async.h"
#include "docker/DockerJson.h"
#include "model/ApiError.h"
#include "model/Types.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace sm {

class DockerEventReader;
class HttpClient;
struct HttpError;
struct HttpRequest;
struct HttpResponse;

// Typed calls to the Docker Engine API on its Unix socket. The API version is negotiated with
// GET /_ping (the lower of the server's and ours) before the first call and again after the
// Engine was unreachable, so a daemon that appears, disappears or is upgraded is followed
// without a restart. Every callback runs later, exactly once, unless its context is destroyed.
class DockerClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockerClient)
public:
    // Docker 29 rejects versions below 1.44; older engines are met at their own version.
    static constexpr const char *OurApiVersion = "1.47";

    explicit DockerClient(const QString &socketPath, QObject *parent = nullptr);
    ~DockerClient() override;

    // resolveDockerSocket() (rules/Rules.h) with this process's DOCKER_HOST; kept for callers
    // that have no config at hand.
    static QString resolveSocketPath(const QString &configured = {});

    QString socketPath() const;
    // Deadline of one read (list, inspect, logs, a stream's headers; stop/restart get their
    // grace period on top). A hung Engine then costs a 504, only to the calls it holds up.
    void setReadTimeoutMs(int ms) { m_readTimeoutMs = qMax(1, ms); }
    int readTimeoutMs() const { return m_readTimeoutMs; }
    // The negotiated version ("1.41"), empty until the Engine answered a ping.
    QString apiVersion() const { return m_version; }

    // Answers the negotiated API version; a fresh ping every time (health checks).
    void ping(QObject *context, Callback<QString> done);
    void containers(QObject *context, bool all, Callback<QList<DockerContainer>> done);
    void inspect(QObject *context, const QString &name, Callback<DockerInspect> done);
    // action: start, stop or restart. 304 (already in that state) is success. timeoutSeconds
    // is the Engine's grace period before SIGKILL (stop, restart); negative = Engine default.
    void control(QObject *context, const QString &name, const QString &action, int timeoutSeconds,
                 Callback<Done> done);
    // stdout and stderr, demultiplexed, one timestamp per line. tail < 0 means all lines.
    void logs(QObject *context, const QString &name, int tail, Callback<QString> done);
    // The last `tail` lines, then new lines as they come. The caller owns the stream.
    LogStream *followLogs(const QString &name, int tail);
    // Container events, one per Engine event, until the stream ends (the reader then reports
    // finished; reconnecting is the caller's choice). The caller owns the reader.
    DockerEventReader *events();

    // Internal plumbing for the stream classes: the versioned request for `pathAndQuery`.
    void versioned(QObject *context, const QByteArray &pathAndQuery,
                   std::function<void(Result<HttpRequest>)> done);
    HttpClient *http() const { return m_http; }
    // Transport failures and Engine error answers as REST errors, in one place.
    ApiError transportError(const HttpError &error);
    static ApiError engineError(int status, const QByteArray &body, const QString &name);

private:
    struct Waiter {
        QPointer<QObject> context;
        std::function<void(Result<QString>)> done;
    };
    void negotiate(QObject *context, std::function<void(Result<QString>)> done);
    // One request on the negotiated version; retried once after re-negotiating when the Engine
    // rejects our version (it was upgraded or downgraded under us).
    void call(QObject *context, const QByteArray &method, const QByteArray &pathAndQuery,
              int timeoutMs, qint64 maxBytes, std::function<void(Result<HttpResponse>)> done,
              bool retried = false);

    HttpClient *m_http;
    int m_readTimeoutMs = 15000;
    QString m_version;
    QList<Waiter> m_waiters;
};

} // namespace sm

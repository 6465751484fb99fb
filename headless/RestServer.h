#pragma once

#include "Auth.h"
#include "HttpFront.h"
#include "RouteTable.h"
#include "model/ApiError.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <list>

class QWebSocket;
#include <optional>

namespace sm {

class Backend;
class AccessLog;
class ReadCoalescer;
class LogStream;
class SseHub;
class StatusMonitor;

// What the REST layer needs from the configuration.
struct RestSettings {
    QStringList containers;       // configured container names, for early 404s
    QStringList corsOrigins{"*"}; // api.cors_origins
    int requestTimeoutMs = 5000;  // api.request_timeout_ms (the backend's deadline)
    int watchdogMarginMs = 1000;  // added on top before the watchdog answers 504
    bool accessLog = true;        // one line per request on stderr
    // Server-sent event streams (GET /events, log follows): how many at once, how much unsent
    // data a client may leave before it is dropped, how often an idle stream gets a heartbeat.
    int maxStreams = 1000;
    qint64 streamBacklogBytes = 1024 * 1024;
    int heartbeatMs = 15000;
    QList<ApiToken> tokens;            // api.tokens; none: every route is open
    qint64 maxBodyBytes = 1024 * 1024; // larger request bodies are refused with 413
    qint64 maxHeaderBytes = 16 * 1024; // request target + header names and values; more: 431
    int maxConnections = 4096;         // open client connections; more: 503 and close
};

// system-managerd's REST API (rest-api.md) over a Backend: the route table, input
// validation, errors to HTTP in one place, CORS, a watchdog per request, the access log.
class RestServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RestServer)
public:
    RestServer(Backend *backend, RestSettings settings, QObject *parent = nullptr);
    ~RestServer() override;

    quint16 listen(const QHostAddress &address, quint16 port);
    const RouteTable &routes() const { return m_routes; }
    // The source of GET /events (its snapshot first, then its changes). Not owned.
    void setMonitor(StatusMonitor *monitor);
    const SseHub *eventHub() const { return m_hub; }

    // Answers from handlers; every path through a handler ends in exactly one of these.
    void reply(HttpExchange *exchange, int status, const QByteArray &body,
               const QByteArray &contentType = "application/json", HeaderList extra = {});
    void replyError(HttpExchange *exchange, const ApiError &error, HeaderList extra = {});

    // Backend callback that answers with toJson(value), or the error.
    template <typename T, typename ToJson> auto answer(HttpExchange *exchange, ToJson toJsonFn) {
        return [this, exchange, toJsonFn](Result<T> result) {
            if (result.ok())
                reply(exchange, 200, toJsonFn(result.value()));
            else
                replyError(exchange, result.error());
        };
    }

private:
    void handle(HttpExchange *exchange);
    void preflight(HttpExchange *exchange, const QByteArrayList &allowed);
    // Hook for api.tokens: the error to answer instead of running the route, if any.
    std::optional<ApiError> authorize(const HttpExchange *exchange, const Route &route) const;
    HeaderList corsHeaders(const HttpExchange *exchange) const;
    HeaderList corsHeadersFor(const QByteArray &origin) const;
    bool originAllowed(const QByteArray &origin) const;

    void addServiceRoutes();
    void addDockerRoutes();
    void addDocRoutes();
    void addEventRoutes(); // RestEventRoutes.cpp
    // WS /ws/containers/{container}/services/{service}/logs (RestWebSocket.cpp).
    void acceptWebSocket(QWebSocket *socket);
    // Starts an SSE answer (CORS included); false (already answered 503) when streams are full.
    bool startEventStream(HttpExchange *exchange);
    // The logs routes' follow=true: checks the source exists, then streams `log` events.
    void followServiceLogs(HttpExchange *exchange, const QString &container, const QString &service,
                           int tail);
    void followDockerLogs(HttpExchange *exchange, const QString &name, int tail);
    void startLogStream(HttpExchange *exchange, LogStream *stream); // takes the stream

    // Validation shared by handlers (the rules are in Validation.h): false or nullopt means
    // the error was already answered.
    bool refuse(HttpExchange *exchange, const std::optional<ApiError> &error);
    template <typename T> std::optional<T> value(HttpExchange *exchange, const Result<T> &result) {
        if (result.ok())
            return result.value();
        replyError(exchange, result.error());
        return std::nullopt;
    }
    bool checkContainer(HttpExchange *exchange, const QString &name);
    bool checkService(HttpExchange *exchange, const QString &name);
    bool checkDockerName(HttpExchange *exchange, const QString &name);
    std::optional<int> intQuery(HttpExchange *exchange, const char *key, int fallback, int max);
    std::optional<bool> boolQuery(HttpExchange *exchange, const char *key, bool fallback);
    std::optional<QJsonObject> jsonBody(HttpExchange *exchange);
    // A required string field; one of `allowed` when given, else any non-empty string.
    std::optional<QString> stringField(HttpExchange *exchange, const QJsonObject &body,
                                       const char *key, const QStringList &allowed = {});

    QByteArray asset(const QString &name, QByteArray *contentType) const;

    Backend *m_backend;
    RestSettings m_settings;
    HttpFront m_front;
    RouteTable m_routes;
    Auth m_auth;
    AccessLog *m_log;
    ReadCoalescer *m_reads; // shares status reads among concurrent identical requests
    bool m_anyOrigin = false;
    SseHub *m_hub = nullptr;
    QPointer<StatusMonitor> m_monitor;
    QList<QMetaObject::Connection> m_monitorConnections;
    mutable QHash<QString, QByteArray> m_assetCache;
    int m_logSockets = 0; // open log WebSockets, bounded with the SSE streams

    // The watchdog: requests waiting for the backend, in deadline order (nearly all share one
    // timeout, so new ones go at the end). One coarse timer for all of them: a timer per request
    // costs O(pending) to register and unregister in Qt's timer list.
    struct Pending {
        qint64 deadline;
        QPointer<HttpExchange> exchange;
    };
    void watch(HttpExchange *exchange);
    void unwatch(HttpExchange *exchange);
    void checkDeadlines();
    std::list<Pending> m_pending;
    QHash<HttpExchange *, std::list<Pending>::iterator> m_pendingIndex;
    QTimer m_watchdog;
    QElapsedTimer m_clock;
};

} // namespace sm

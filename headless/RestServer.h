#pragma once

#include "HttpFront.h"
#include "RouteTable.h"
#include "model/ApiError.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <optional>

namespace sm {

class Backend;
class AccessLog;

// What the REST layer needs from the configuration.
struct RestSettings {
    QStringList containers;       // configured container names, for early 404s
    QStringList corsOrigins{"*"}; // api.cors_origins
    int requestTimeoutMs = 5000;  // api.request_timeout_ms (the backend's deadline)
    int watchdogMarginMs = 1000;  // added on top before the watchdog answers 504
    bool accessLog = true;        // one line per request on stderr
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
    bool originAllowed(const QByteArray &origin) const;

    void addServiceRoutes();
    void addDockerRoutes();
    void addDocRoutes();

    // Validation shared by handlers: false means an error was already answered.
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
    AccessLog *m_log;
    bool m_anyOrigin = false;
    mutable QHash<QString, QByteArray> m_assetCache;
};

} // namespace sm

#include "RestServer.h"

#include "AccessLog.h"
#include "ReadCoalescer.h"
#include "Validation.h"
#include "backend/Backend.h"
#include "model/ModelJson.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <iterator>

namespace sm {

RestServer::RestServer(Backend *backend, RestSettings settings, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_settings(std::move(settings))
    , m_front([this](HttpExchange *exchange) { handle(exchange); })
    , m_auth(m_settings.tokens)
    , m_log(new AccessLog(m_settings.accessLog, this))
    , m_reads(new ReadCoalescer(
          [this](HttpExchange *exchange, const Result<QByteArray> &result) {
              if (result.ok())
                  reply(exchange, 200, result.value());
              else
                  replyError(exchange, result.error());
          },
          m_settings.requestTimeoutMs + m_settings.watchdogMarginMs, this)) {
    m_anyOrigin = m_settings.corsOrigins.contains(QStringLiteral("*"));
    m_front.setLimits(
        {m_settings.maxHeaderBytes, m_settings.maxBodyBytes, m_settings.maxConnections},
        [this](const QByteArray &origin) { return corsHeadersFor(origin); });
    m_clock.start();
    m_watchdog.setInterval(std::clamp(m_settings.watchdogMarginMs / 4, 10, 250));
    connect(&m_watchdog, &QTimer::timeout, this, &RestServer::checkDeadlines);
    addDocRoutes();
    addServiceRoutes();
    addDockerRoutes();
    addEventRoutes();
    m_front.setWebSocketHandler([this](QWebSocket *socket) { acceptWebSocket(socket); });
}

RestServer::~RestServer() {
    // Shutting down: requests still waiting for the backend get a 503 now (pushed to the
    // kernel at once, since their sockets close with us) rather than a dropped connection.
    const std::list<Pending> pending = std::move(m_pending);
    m_pending.clear();
    m_pendingIndex.clear();
    for (const Pending &p : pending) {
        if (!p.exchange || p.exchange->answered())
            continue;
        replyError(p.exchange,
                   ApiError::unavailable(QStringLiteral("system-managerd is shutting down")),
                   {{"Connection", "close"}});
        p.exchange->flush();
    }
    m_log->flush();
    // Answer nothing more: pending exchanges go before the server that owns their sockets.
    qDeleteAll(findChildren<HttpExchange *>(Qt::FindDirectChildrenOnly));
}

quint16 RestServer::listen(const QHostAddress &address, quint16 port) {
    return m_front.listen(address, port);
}

void RestServer::handle(HttpExchange *exchange) {
    exchange->setParent(this);
    const RouteTable::Match match = m_routes.find(exchange->method(), exchange->rawPath());
    if (exchange->method() == "OPTIONS" && !match.allowed.isEmpty()) {
        preflight(exchange, match.allowed);
        return;
    }
    if (!match.route) {
        if (match.allowed.isEmpty()) {
            // `detail` as FastAPI gives it; `error` says which request.
            replyError(exchange, ApiError::fastApi(404,
                                                   QStringLiteral("No route for %1 %2")
                                                       .arg(QString::fromUtf8(exchange->method()),
                                                            QString::fromUtf8(exchange->rawPath())),
                                                   QStringLiteral("Not Found"), "\"Not Found\""));
            return;
        }
        QByteArrayList allowed = match.allowed;
        allowed.append("OPTIONS");
        replyError(exchange,
                   ApiError::fastApi(405,
                                     QStringLiteral("Method %1 is not allowed on %2; use %3")
                                         .arg(QString::fromUtf8(exchange->method()),
                                              QString::fromUtf8(exchange->rawPath()),
                                              QString::fromUtf8(match.allowed.join(", "))),
                                     QStringLiteral("Method Not Allowed"),
                                     "\"Method Not Allowed\""),
                   {{"Allow", allowed.join(", ")}});
        return;
    }
    if (const auto denied = authorize(exchange, *match.route)) {
        HeaderList extra;
        if (denied->status == 401)
            extra.append(Header{"WWW-Authenticate", Auth::kChallenge});
        replyError(exchange, *denied, extra);
        return;
    }
    if (exchange->body().size() > m_settings.maxBodyBytes) {
        replyError(exchange, {413,
                              QStringLiteral("The request body is larger than %1 bytes")
                                  .arg(m_settings.maxBodyBytes),
                              QJsonValue::Null});
        return;
    }
    match.route->handler(exchange, match.params);
    if (!exchange->answered())
        watch(exchange);
}

void RestServer::watch(HttpExchange *exchange) {
    // The backend has its own deadline (request_timeout_ms); the watchdog only catches an
    // answer that got lost, so that every request is still answered exactly once.
    const qint64 deadline = m_clock.elapsed() + m_settings.requestTimeoutMs +
                            m_settings.watchdogMarginMs + exchange->extraDeadlineMs();
    // Almost always the latest deadline; only requests with extra time need a search.
    auto pos = m_pending.end();
    while (pos != m_pending.begin() && std::prev(pos)->deadline > deadline)
        --pos;
    m_pendingIndex.insert(exchange, m_pending.insert(pos, {deadline, exchange}));
    // An exchange freed without an answer (its stream ended) must leave no stale entry.
    connect(exchange, &QObject::destroyed, this, [this, exchange] { unwatch(exchange); });
    if (!m_watchdog.isActive())
        m_watchdog.start();
}

void RestServer::unwatch(HttpExchange *exchange) {
    const auto pending = m_pendingIndex.constFind(exchange);
    if (pending != m_pendingIndex.constEnd()) {
        m_pending.erase(*pending);
        m_pendingIndex.erase(pending);
    }
}

void RestServer::checkDeadlines() {
    const qint64 now = m_clock.elapsed();
    while (!m_pending.empty() && m_pending.front().deadline <= now) {
        const QPointer<HttpExchange> exchange = m_pending.front().exchange;
        m_pending.pop_front();
        if (!exchange)
            continue; // a stream that has ended since
        m_pendingIndex.remove(exchange.data());
        replyError(exchange,
                   ApiError::timeout(QStringLiteral("The request was not answered in time")));
    }
    if (m_pending.empty())
        m_watchdog.stop();
}

std::optional<ApiError> RestServer::authorize(const HttpExchange *exchange,
                                              const Route &route) const {
    // Without api.tokens every route is open, as in the old service.
    return m_auth.check(exchange->header("Authorization"), exchange->method(), route.access);
}

bool RestServer::originAllowed(const QByteArray &origin) const {
    return m_anyOrigin || m_settings.corsOrigins.contains(QString::fromUtf8(origin));
}

HeaderList RestServer::corsHeaders(const HttpExchange *exchange) const {
    return corsHeadersFor(exchange->header("Origin"));
}

HeaderList RestServer::corsHeadersFor(const QByteArray &origin) const {
    HeaderList headers;
    if (!origin.isEmpty() && originAllowed(origin))
        headers.append(Header{"Access-Control-Allow-Origin", origin});
    else if (origin.isEmpty() && m_anyOrigin)
        headers.append(Header{"Access-Control-Allow-Origin", "*"});
    headers.append(Header{"Vary", "Origin"});
    return headers;
}

void RestServer::preflight(HttpExchange *exchange, const QByteArrayList &allowed) {
    QByteArrayList methods = allowed;
    methods.append("OPTIONS");
    HeaderList extra{{"Allow", methods.join(", ")},
                     {"Access-Control-Allow-Methods", methods.join(", ")}};
    const QByteArray requested = exchange->header("Access-Control-Request-Headers");
    extra.append({"Access-Control-Allow-Headers",
                  requested.isEmpty() ? QByteArray("Content-Type, Authorization") : requested});
    extra.append(Header{"Access-Control-Allow-Credentials", "true"});
    extra.append(Header{"Access-Control-Max-Age", "600"});
    reply(exchange, 204, {}, {}, extra);
}

void RestServer::reply(HttpExchange *exchange, int status, const QByteArray &body,
                       const QByteArray &contentType, HeaderList extra) {
    if (exchange->answered())
        return;
    unwatch(exchange);
    HeaderList headers = corsHeaders(exchange);
    if (!contentType.isEmpty())
        headers.append(Header{"Content-Type", contentType});
    headers.append(extra);
    exchange->respond(status, headers, body);
    m_log->record(exchange->method(), exchange->rawPath(), status, exchange->elapsedMs(),
                  exchange->clientGone());
    exchange->deleteLater();
}

void RestServer::replyError(HttpExchange *exchange, const ApiError &error, HeaderList extra) {
    reply(exchange, error.status, toJson(error), "application/json", std::move(extra));
}

bool RestServer::checkContainer(HttpExchange *exchange, const QString &name) {
    if (m_settings.containers.contains(name))
        return true;
    replyError(exchange, ApiError::notFound(QStringLiteral("Container '%1' not found").arg(name)));
    return false;
}

bool RestServer::refuse(HttpExchange *exchange, const std::optional<ApiError> &error) {
    if (!error)
        return false;
    replyError(exchange, *error);
    return true;
}

bool RestServer::checkService(HttpExchange *exchange, const QString &name) {
    return !refuse(exchange, validate::serviceName(name));
}

bool RestServer::checkDockerName(HttpExchange *exchange, const QString &name) {
    return !refuse(exchange, validate::dockerName(name));
}

std::optional<int> RestServer::intQuery(HttpExchange *exchange, const char *key, int fallback,
                                        int max) {
    const QString name = QString::fromUtf8(key);
    if (!exchange->query().hasQueryItem(name))
        return fallback;
    return value(exchange,
                 validate::intQuery(key, exchange->query().queryItemValue(name, QUrl::FullyDecoded),
                                    0, max));
}

std::optional<bool> RestServer::boolQuery(HttpExchange *exchange, const char *key, bool fallback) {
    const QString name = QString::fromUtf8(key);
    if (!exchange->query().hasQueryItem(name))
        return fallback;
    return value(exchange, validate::boolQuery(
                               key, exchange->query().queryItemValue(name, QUrl::FullyDecoded)));
}

std::optional<QJsonObject> RestServer::jsonBody(HttpExchange *exchange) {
    return value(exchange, validate::jsonObjectBody(exchange->body()));
}

std::optional<QString> RestServer::stringField(HttpExchange *exchange, const QJsonObject &body,
                                               const char *key, const QStringList &allowed) {
    return value(exchange, validate::stringField(body, key, allowed));
}

} // namespace sm

#include "RestServer.h"

#include "api/DockerApi.h"
#include "api/DocsApi.h"
#include "api/EventApi.h"
#include "api/HistoryApi.h"
#include "api/ReadCoalescer.h"
#include "api/ServiceApi.h"
#include "backend/Backend.h"
#include "http/Responder.h"
#include "http/SseHub.h"
#include "metrics/Metrics.h"
#include "metrics/MetricsApi.h"

#include <algorithm>

namespace sm {

namespace {

Responder::Settings responderSettings(const RestSettings &s) {
    return {.corsOrigins = s.corsOrigins,
            .accessLog = s.accessLog,
            .deadlineMs = s.requestTimeoutMs + s.watchdogMarginMs,
            .watchdogResolutionMs = std::clamp(s.watchdogMarginMs / 4, 10, 250)};
}

SseHub::Limits hubLimits(const RestSettings &s) {
    SseHub::Limits limits;
    limits.maxStreams = s.maxStreams;
    limits.maxBacklogBytes = s.streamBacklogBytes;
    limits.heartbeatMs = s.heartbeatMs;
    return limits;
}

} // namespace

RestServer::RestServer(Backend *backend, RestSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_front([this](HttpExchange *exchange) { handle(exchange); })
    , m_auth(m_settings.tokens)
    , m_out(new Responder(responderSettings(m_settings), this))
    , m_reads(new ReadCoalescer(
          [this](HttpExchange *exchange, const Result<QByteArray> &result) {
              if (result.ok())
                  m_out->reply(exchange, 200, result.value());
              else
                  m_out->replyError(exchange, result.error());
          },
          m_settings.requestTimeoutMs + m_settings.watchdogMarginMs, this))
    , m_hub(new SseHub(hubLimits(m_settings), this)) {
    const ApiContext context{backend, backend, m_out, m_reads, m_hub, &m_auth, &m_settings};
    m_events = std::make_unique<EventApi>(context);
    m_services = std::make_unique<ServiceApi>(context, *m_events);
    m_docker = std::make_unique<DockerApi>(context, *m_events);
    m_docs = std::make_unique<DocsApi>(context);
    m_history = std::make_unique<HistoryApi>(context);
    m_audit.setLog(m_out->log());
    m_metrics = std::make_unique<MetricsApi>(context);
    m_docs->addRoutes(m_routes);
    m_services->addRoutes(m_routes);
    m_docker->addRoutes(m_routes);
    m_events->addRoutes(m_routes);
    m_history->addRoutes(m_routes);
    m_metrics->addRoutes(m_routes);
    connect(m_hub, &SseHub::streamEnded, m_out, &Responder::streamEnded);
    m_front.setLimits(
        {m_settings.maxHeaderBytes, m_settings.maxBodyBytes, m_settings.maxConnections},
        [this](const QByteArray &origin) { return m_out->cors().headersFor(origin); },
        [metrics = m_metrics->metrics()](int status) { metrics->countRefusal(status); });
    m_front.setWebSocketHandler([this](QWebSocket *socket) { m_events->acceptWebSocket(socket); });
}

RestServer::~RestServer() {
    // Requests still waiting for the backend get a 503 now, rather than a dropped connection.
    delete m_out;
    // Answer nothing more: pending exchanges go before the server that owns their sockets.
    qDeleteAll(findChildren<HttpExchange *>(Qt::FindDirectChildrenOnly));
}

Metrics *RestServer::metrics() const {
    return m_metrics->metrics();
}

quint16 RestServer::listen(const QHostAddress &address, quint16 port) {
    return m_front.listen(address, port);
}

void RestServer::handle(HttpExchange *exchange) {
    exchange->setParent(this);
    const RouteTable::Match match = m_routes.find(exchange->method(), exchange->rawPath());
    exchange->setRoute(match.pattern); // request metrics name the template, never the path
    if (exchange->method() == "OPTIONS" && !match.allowed.isEmpty()) {
        m_out->reply(exchange, 204, {}, {},
                     Cors::preflightHeaders(match.allowed,
                                            exchange->header("Access-Control-Request-Headers")));
        return;
    }
    // Refused requests too: who tried matters as much as who did.
    m_audit.watch(exchange, match);
    HeaderList extra;
    std::optional<ApiError> error = check(exchange, match, extra);
    if (!error)
        error = match.route->handler(exchange, match.params);
    if (error)
        m_out->replyError(exchange, *error, extra);
    else if (!exchange->answered())
        m_out->watch(exchange);
}

std::optional<ApiError> RestServer::check(HttpExchange *exchange, const RouteTable::Match &match,
                                          HeaderList &extra) const {
    const QString method = QString::fromUtf8(exchange->method());
    const QString path = QString::fromUtf8(exchange->rawPath());
    if (!match.route && match.allowed.isEmpty()) // `detail` as FastAPI gives it
        return ApiError::fastApi(404, QStringLiteral("No route for %1 %2").arg(method, path),
                                 QStringLiteral("Not Found"), "\"Not Found\"");
    if (!match.route) {
        extra.append(Header{"Allow", (match.allowed + QByteArrayList{"OPTIONS"}).join(", ")});
        return ApiError::fastApi(
            405,
            QStringLiteral("Method %1 is not allowed on %2; use %3")
                .arg(method, path, QString::fromUtf8(match.allowed.join(", "))),
            QStringLiteral("Method Not Allowed"), "\"Method Not Allowed\"");
    }
    // Without api.tokens every route is open, as in the old service.
    if (auto denied = m_auth.check(exchange->header("Authorization"), exchange->method(),
                                   match.route->access)) {
        if (denied->status == 401)
            extra.append(Header{"WWW-Authenticate", Auth::kChallenge});
        return denied;
    }
    if (exchange->body().size() > m_settings.maxBodyBytes)
        return ApiError::tooLarge(QStringLiteral("The request body is larger than %1 bytes")
                                      .arg(m_settings.maxBodyBytes));
    return std::nullopt;
}

} // namespace sm

#include "Responder.h"

#include "AccessLog.h"
#include "model/ModelJson.h"

namespace sm {

Responder::Responder(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_cors(settings.corsOrigins)
    , m_log(new AccessLog(settings.accessLog, this))
    , m_watchdog(
          settings.deadlineMs, settings.watchdogResolutionMs,
          [this](HttpExchange *exchange) {
              replyError(exchange,
                         ApiError::timeout(QStringLiteral("The request was not answered in time")));
          },
          this) {}

Responder::~Responder() {
    for (const QPointer<HttpExchange> &exchange : m_watchdog.takeAll()) {
        if (!exchange || exchange->answered())
            continue;
        replyError(exchange,
                   ApiError::unavailable(QStringLiteral("system-managerd is shutting down")),
                   {{"Connection", "close"}});
        exchange->flush();
    }
    m_log->flush();
}

void Responder::reply(HttpExchange *exchange, int status, const QByteArray &body,
                      const QByteArray &contentType, HeaderList extra) {
    if (exchange->answered())
        return;
    m_watchdog.unwatch(exchange);
    HeaderList headers = m_cors.headersFor(exchange->header("Origin"));
    if (!contentType.isEmpty())
        headers.append(Header{"Content-Type", contentType});
    headers.append(extra);
    exchange->respond(status, headers, body);
    m_log->record(exchange->method(), exchange->rawPath(), status, exchange->elapsedMs(),
                  exchange->clientGone());
    if (m_observer)
        m_observer(exchange->method(), exchange->route(), status, exchange->elapsedNs());
    exchange->deleteLater();
}

void Responder::replyError(HttpExchange *exchange, const ApiError &error, HeaderList extra) {
    reply(exchange, error.status, toJson(error), "application/json", std::move(extra));
}

bool Responder::startStream(HttpExchange *exchange) {
    // A stream leaves the watchdog now, as an answer does: it may end (and its exchange be
    // freed) long before that deadline.
    m_watchdog.unwatch(exchange);
    HeaderList headers = m_cors.headersFor(exchange->header("Origin"));
    headers.append(Header{"Content-Type", "text/event-stream"});
    headers.append(Header{"Cache-Control", "no-cache"});
    headers.append(Header{"X-Accel-Buffering", "no"}); // reverse proxies: do not buffer
    if (m_observer)
        m_observer(exchange->method(), exchange->route(), 200, exchange->elapsedNs());
    if (exchange->startStream(200, headers))
        return true;
    m_log->record(exchange->method(), exchange->rawPath(), 200, exchange->elapsedMs(), true);
    exchange->deleteLater();
    return false;
}

void Responder::upgraded(const QByteArray &path, const QString &route) {
    m_log->record("GET", path, 101, 0, false);
    if (m_observer)
        m_observer("GET", route, 101, 0);
}

void Responder::streamEnded(HttpExchange *exchange, qint64 durationMs) {
    m_log->record(exchange->method(), exchange->rawPath(), 200, durationMs, exchange->clientGone());
}

} // namespace sm

// Live updates (rest-api.md, "Beyond the old service"): GET /events from the StatusMonitor,
// and the logs routes' follow=true, all as server-sent events through one SseHub.
#include "RestServer.h"

#include "AccessLog.h"
#include "SseHub.h"
#include "backend/Backend.h"
#include "model/ModelJson.h"
#include "monitor/StatusMonitor.h"

namespace sm {

namespace {

QByteArray agentJson(const QString &container, bool reachable) {
    return JsonObjectWriter().add("container", container).add("reachable", reachable).toJson();
}

QByteArray removedJson(const QString &container, const QString &service) {
    return JsonObjectWriter().add("container", container).add("service", service).toJson();
}

} // namespace

void RestServer::addEventRoutes() {
    SseHub::Limits limits;
    limits.maxStreams = m_settings.maxStreams;
    limits.maxBacklogBytes = m_settings.streamBacklogBytes;
    limits.heartbeatMs = m_settings.heartbeatMs;
    m_hub = new SseHub(limits, this);
    connect(m_hub, &SseHub::streamEnded, this, [this](HttpExchange *exchange, qint64 ms) {
        m_log->record(exchange->method(), exchange->rawPath(), 200, ms, exchange->clientGone());
    });

    m_routes.add("GET", "/events", Access::Read,
                 {.name = "events",
                  .tag = "monitoring",
                  .summary = "Live updates",
                  .description = "Server-sent events: the current state first (an `agent` event "
                                 "per agent, a `service` event per service), then `service`, "
                                 "`service_removed`, `agent` and `docker` events as they happen.",
                  .eventStream = true},
                 [this](HttpExchange *ex, const QStringList &) {
                     if (!startEventStream(ex))
                         return;
                     // The current state first, so a new subscriber never starts blind.
                     QByteArray initial;
                     if (m_monitor) {
                         for (const auto &[container, reachable] : m_monitor->agents())
                             initial += sseEvent("agent", agentJson(container, reachable));
                         for (const ServiceStatus &status : m_monitor->services())
                             initial += sseEvent("service", toJson(status));
                     }
                     m_hub->subscribe(ex, initial);
                 });
}

void RestServer::setMonitor(StatusMonitor *monitor) {
    for (const auto &connection : std::as_const(m_monitorConnections))
        disconnect(connection);
    m_monitorConnections.clear();
    m_monitor = monitor;
    if (!monitor)
        return;
    m_monitorConnections = {
        connect(monitor, &StatusMonitor::serviceChanged, m_hub,
                [this](const ServiceStatus &s) { m_hub->publish("service", toJson(s)); }),
        connect(monitor, &StatusMonitor::serviceRemoved, m_hub,
                [this](const QString &c, const QString &s) {
                    m_hub->publish("service_removed", removedJson(c, s));
                }),
        connect(monitor, &StatusMonitor::agentReachabilityChanged, m_hub,
                [this](const QString &c, bool r) { m_hub->publish("agent", agentJson(c, r)); }),
        connect(monitor, &StatusMonitor::dockerEvent, m_hub,
                [this](const DockerEvent &e) { m_hub->publish("docker", toJson(e)); }),
    };
}

bool RestServer::startEventStream(HttpExchange *exchange) {
    if (m_hub->isFull()) {
        replyError(exchange, ApiError::unavailable(
                                 QStringLiteral("Too many event streams are open (%1); try later")
                                     .arg(m_hub->limits().maxStreams)));
        return false;
    }
    // A stream is its own answer: it leaves the watchdog's list now, as reply() does, since it
    // may end (and its exchange be freed) long before that deadline.
    unwatch(exchange);
    HeaderList headers = corsHeaders(exchange);
    headers.append(Header{"Content-Type", "text/event-stream"});
    headers.append(Header{"Cache-Control", "no-cache"});
    headers.append(Header{"X-Accel-Buffering", "no"}); // reverse proxies: do not buffer
    if (!exchange->startStream(200, headers)) {
        m_log->record(exchange->method(), exchange->rawPath(), 200, exchange->elapsedMs(), true);
        exchange->deleteLater();
        return false;
    }
    return true;
}

void RestServer::followServiceLogs(HttpExchange *exchange, const QString &container,
                                   const QString &service, int tail) {
    // Ask for the status first: an unknown service or an unreachable agent gets its own error
    // status, rather than a stream that ends at once.
    m_backend->status(exchange, container, service,
                      [this, exchange, container, service, tail](Result<ServiceStatus> result) {
                          if (!result.ok())
                              return replyError(exchange, result.error());
                          startLogStream(exchange, m_backend->followLogs(container, service, tail));
                      });
}

void RestServer::followDockerLogs(HttpExchange *exchange, const QString &name, int tail) {
    m_backend->dockerStatus(exchange, name, [this, exchange, name, tail](Result<DockerStatus> r) {
        if (!r.ok())
            return replyError(exchange, r.error());
        startLogStream(exchange, m_backend->followDockerLogs(name, tail));
    });
}

void RestServer::startLogStream(HttpExchange *exchange, LogStream *stream) {
    if (!stream) {
        replyError(exchange,
                   {501, QStringLiteral("This backend cannot follow logs"), QJsonValue::Null});
        return;
    }
    if (!startEventStream(exchange)) {
        delete stream; // closes the upstream connection
        return;
    }
    m_hub->follow(exchange, stream);
}

} // namespace sm

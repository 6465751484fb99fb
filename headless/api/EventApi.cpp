#include "EventApi.h"

#include "Validation.h"
#include "backend/Backend.h"
#include "http/AccessLog.h"
#include "http/LogSocket.h"
#include "http/Responder.h"
#include "http/SseHub.h"
#include "model/Events.h"

#include <QUrlQuery>
#include <QWebSocket>

#include <functional>

namespace sm {

namespace {

// As the successor: a log WebSocket's first frame holds the last 100 lines.
constexpr int kWebSocketTail = 100;
// The route's template, as request metrics name it.
constexpr const char *kWebSocketRoute = "/ws/containers/{container}/services/{service}/logs";

// One /events event as SSE (its name and shape: model/Events.h).
QByteArray sse(const Event &event) {
    return sseEvent(encodeEvent(event));
}

void publish(SseHub *hub, const Event &event) {
    const EncodedEvent e = encodeEvent(event);
    hub->publish(e.name, e.data);
}

} // namespace

EventApi::EventApi(const ApiContext &context, QObject *parent)
    : QObject(parent)
    , m_(context) {
    SseHub *hub = m_.hub;
    connect(m_.backend, &Backend::serviceChanged, hub,
            [hub](const ServiceStatus &s) { publish(hub, s); });
    connect(m_.backend, &Backend::serviceRemoved, hub, [hub](const QString &c, const QString &s) {
        publish(hub, ServiceRemoved{c, s});
    });
    connect(m_.backend, &Backend::agentReachabilityChanged, hub, [hub](const QString &c, bool r) {
        publish(hub, AgentReachability{c, r});
    });
    connect(m_.backend, &Backend::dockerEvent, hub,
            [hub](const DockerEvent &e) { publish(hub, e); });
}

void EventApi::addRoutes(RouteTable &routes) {
    routes.add("GET", "/events", Access::Read,
               {.name = "events",
                .tag = "monitoring",
                .summary = "Live updates",
                .description = "Server-sent events: the current state first (an `agent` event "
                               "per agent, a `service` event per service), then `service`, "
                               "`service_removed`, `agent` and `docker` events as they happen.",
                .eventStream = true},
               std::bind_front(&EventApi::events, this));
}

std::optional<ApiError> EventApi::events(HttpExchange *ex, const PathParams &) {
    if (!startStream(ex))
        return {};
    // A subscriber back from a short break gets what it missed; any other gets the current
    // state first, so it never starts blind (one that asked for more than is kept is told).
    const QByteArray lastEventId = ex->header("Last-Event-ID");
    if (!lastEventId.isEmpty()) {
        if (const auto missed = m_.hub->eventsSince(lastEventId)) {
            m_.hub->subscribe(ex, *missed);
            return {};
        }
    }
    QByteArray initial;
    if (!lastEventId.isEmpty())
        initial += sseEvent(encodeResync(lastEventId));
    const LiveSnapshot live = m_.backend->liveSnapshot();
    for (const auto &[container, reachable] : live.agents)
        initial += sse(AgentReachability{container, reachable});
    for (const ServiceStatus &status : live.services)
        initial += sse(status);
    initial += m_.hub->idLine();
    m_.hub->subscribe(ex, initial);
    return {};
}

bool EventApi::startStream(HttpExchange *ex) {
    if (m_.hub->isFull()) {
        m_.out->replyError(ex, ApiError::unavailable(
                                   QStringLiteral("Too many event streams are open (%1); try later")
                                       .arg(m_.hub->limits().maxStreams)));
        return false;
    }
    return m_.out->startStream(ex);
}

void EventApi::followServiceLogs(HttpExchange *ex, const QString &container, const QString &service,
                                 int tail) {
    // Ask for the status first: an unknown service or an unreachable agent gets its own error
    // status, rather than a stream that ends at once.
    m_.backend->status(ex, container, service,
                       [this, ex, container, service, tail](const Result<ServiceStatus> &r) {
                           if (!r.ok())
                               return m_.out->replyError(ex, r.error());
                           startLogStream(ex, m_.backend->followLogs(container, service, tail));
                       });
}

void EventApi::followDockerLogs(HttpExchange *ex, const QString &name, int tail) {
    m_.backend->dockerStatus(ex, name, [this, ex, name, tail](const Result<DockerStatus> &r) {
        if (!r.ok())
            return m_.out->replyError(ex, r.error());
        startLogStream(ex, m_.backend->followDockerLogs(name, tail));
    });
}

void EventApi::startLogStream(HttpExchange *ex, LogStream *stream) {
    if (!stream) {
        m_.out->replyError(
            ex, ApiError::notImplemented(QStringLiteral("This backend cannot follow logs")));
        return;
    }
    if (!startStream(ex)) {
        delete stream; // closes the upstream connection
        return;
    }
    m_.hub->follow(ex, stream);
}

// The successor's web UI streams a service's log with this WebSocket. The same checks as GET
// .../logs; a browser cannot set headers on a WebSocket, so a token may also come as ?token=.
void EventApi::acceptWebSocket(QWebSocket *socket) {
    auto *client = new LogSocket(socket, m_.settings->streamBacklogBytes, this);
    const QUrl url = socket->requestUrl();
    const QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    QStringList segments;
    const bool routed = RouteTable::splitPath(path, segments) && segments.size() == 6 &&
                        segments[0] == u"ws" && segments[1] == u"containers" &&
                        segments[3] == u"services" && segments[5] == u"logs";
    m_.out->upgraded(path, routed ? QString::fromLatin1(kWebSocketRoute) : QString());
    if (!routed)
        return client->fail(
            QStringLiteral("No WebSocket route for %1").arg(QString::fromUtf8(path)));
    const QString container = segments[2];
    const QString service = segments[4];

    QByteArray authorization = socket->request().rawHeader("Authorization");
    const QString token =
        QUrlQuery(url).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    if (authorization.isEmpty() && !token.isEmpty())
        authorization = "Bearer " + token.toUtf8();
    if (const auto denied = m_.auth->check(authorization, "GET", Access::Read))
        return client->fail(denied->message);
    if (!m_.settings->containers.contains(container))
        return client->fail(QStringLiteral("Container '%1' not found").arg(container));
    if (const auto invalid = validate::serviceName(service))
        return client->fail(invalid->message);
    if (m_logSockets + m_.hub->streamCount() >= m_.settings->maxStreams)
        return client->fail(
            QStringLiteral("Too many live streams (at most %1)").arg(m_.settings->maxStreams));

    ++m_logSockets;
    connect(client, &LogSocket::ended, this, [this] { --m_logSockets; });
    // The status first: an unknown service or an unreachable agent gets its own message.
    m_.backend->status(
        client, container, service,
        [this, client, container, service](const Result<ServiceStatus> &result) {
            if (!result.ok())
                return client->fail(result.error().message);
            LogStream *stream = m_.backend->followLogs(container, service, kWebSocketTail);
            if (!stream)
                return client->fail(QStringLiteral("This backend cannot follow logs"));
            client->follow(stream);
        });
}

} // namespace sm

// The log WebSocket of the original's successor (its web UI streams a service's log with it):
// WS /ws/containers/{container}/services/{service}/logs. The same checks as GET .../logs; a
// browser cannot set headers on a WebSocket, so a token may also come as ?token=.
#include "RestServer.h"

#include "AccessLog.h"
#include "LogSocket.h"
#include "SseHub.h"
#include "Validation.h"
#include "backend/Backend.h"

#include <QUrlQuery>
#include <QWebSocket>

namespace sm {

namespace {

constexpr int kInitialTail = 100; // as the successor: the first frame holds the last 100 lines

} // namespace

void RestServer::acceptWebSocket(QWebSocket *socket) {
    auto *client = new LogSocket(socket, m_settings.streamBacklogBytes, this);
    const QUrl url = socket->requestUrl();
    const QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    // The access log names the path only: a ?token= never reaches it.
    m_log->record("GET", path, 101, 0, false);

    QStringList segments;
    const bool parsed = RouteTable::splitPath(path, segments);
    if (!parsed || segments.size() != 6 || segments[0] != u"ws" || segments[1] != u"containers" ||
        segments[3] != u"services" || segments[5] != u"logs")
        return client->fail(
            QStringLiteral("No WebSocket route for %1").arg(QString::fromUtf8(path)));
    const QString container = segments[2];
    const QString service = segments[4];

    QByteArray authorization = socket->request().rawHeader("Authorization");
    const QString token =
        QUrlQuery(url).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    if (authorization.isEmpty() && !token.isEmpty())
        authorization = "Bearer " + token.toUtf8();
    if (const auto denied = m_auth.check(authorization, "GET", Access::Read))
        return client->fail(denied->message);
    if (!m_settings.containers.contains(container))
        return client->fail(QStringLiteral("Container '%1' not found").arg(container));
    if (const auto invalid = validate::serviceName(service))
        return client->fail(invalid->message);
    if (m_logSockets + m_hub->streamCount() >= m_settings.maxStreams)
        return client->fail(
            QStringLiteral("Too many live streams (at most %1)").arg(m_settings.maxStreams));

    ++m_logSockets;
    connect(client, &LogSocket::ended, this, [this] { --m_logSockets; });
    // The status first: an unknown service or an unreachable agent gets its own message.
    m_backend->status(
        client, container, service,
        [this, client, container, service](Result<ServiceStatus> result) {
            if (!result.ok())
                return client->fail(result.error().message);
            LogStream *stream = m_backend->followLogs(container, service, kInitialTail);
            if (!stream)
                return client->fail(QStringLiteral("This backend cannot follow logs"));
            client->follow(stream);
        });
}

} // namespace sm

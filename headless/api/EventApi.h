#pragma once

#include "ApiContext.h"
#include "http/RouteTable.h"

#include <QObject>

class QWebSocket;

namespace sm {

class LogStream;

// Live updates (rest-api.md, "Beyond the old service"): GET /events from the Backend's live
// snapshot and signals, the logs routes' follow=true as server-sent events through the
// SseHub, and the successor's log WebSocket.
class EventApi final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventApi)
public:
    explicit EventApi(const ApiContext &context, QObject *parent = nullptr);

    void addRoutes(RouteTable &routes);

    // The logs routes' follow=true: checks the source exists, then streams `log` events.
    void followServiceLogs(HttpExchange *ex, const QString &container, const QString &service,
                           int tail);
    void followDockerLogs(HttpExchange *ex, const QString &name, int tail);
    // WS /ws/containers/{container}/services/{service}/logs.
    void acceptWebSocket(QWebSocket *socket);

private:
    std::optional<ApiError> events(HttpExchange *ex, const PathParams &p);
    // Starts an SSE answer; false when it was answered otherwise (streams full, client gone).
    bool startStream(HttpExchange *ex);
    void startLogStream(HttpExchange *ex, LogStream *stream); // takes the stream

    ApiContext m_;
    int m_logSockets = 0; // open log WebSockets, bounded with the SSE streams
};

} // namespace sm

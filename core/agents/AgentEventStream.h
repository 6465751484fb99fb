#pragma once

#include "async/Async.h"
#include "http/HttpClient.h"
#include "http/SseParser.h"

#include <QPointer>
#include <QTimer>

#include <functional>

namespace sm {

// A ServiceFeed over an agent's GET /events (docs/agent-api.md): `service` events carry a
// status object as GET /services/{name}/status gives it, `service_removed` events a name.
// An answer other than 200, an event that does not parse, or a broken connection ends it with
// the mapped ApiError. So does silence: an agent sends at least a heartbeat every 15 s, and
// one that sends nothing for idleMs has hung with its socket still open (504).
class AgentEventStream final : public ServiceFeed {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentEventStream)
public:
    // `complete` fills in what the agent does not know (container, label).
    AgentEventStream(QString container, HttpStream *upstream, int timeoutMs, int idleMs,
                     std::function<void(ServiceStatus &)> complete, QObject *parent = nullptr);
    ~AgentEventStream() override;

private:
    void onData(const QByteArray &bytes);
    void onFinished(const std::optional<HttpError> &error);
    void end(const ApiError &error);
    // False when the event is broken (the stream then ends).
    bool dispatch(const SseEvent &event);

    QString m_container;
    int m_timeoutMs;
    QTimer m_idle; // from the headers on, restarted by every byte the agent sends
    std::function<void(ServiceStatus &)> m_complete;
    QPointer<HttpStream> m_upstream;
    SseParser m_parser;
    int m_status = 0;
    QByteArray m_errorBody;
    bool m_done = false;
};

} // namespace sm

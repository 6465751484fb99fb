#pragma once

#include "model/Events.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <optional>

namespace sm {

class HttpExchange;
class LogStream;

// One Server-Sent Event in wire form: `event: <name>`, one `data:` line per line of data.
QByteArray sseEvent(const QByteArray &name, const QByteArray &data);
QByteArray sseEvent(const EncodedEvent &event);

// The daemon's server-sent event streams: GET /events subscribers, to which every published
// event goes, and log followers, each fed by its own upstream LogStream. All share one bound on
// their number and a heartbeat. A client that stops reading is dropped once its unsent backlog
// passes a bound, so it neither slows the others nor grows memory.
class SseHub final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SseHub)
public:
    struct Limits {
        int maxStreams = 1000;
        qint64 maxBacklogBytes = 1024 * 1024;
        int heartbeatMs = 15000;
        int retryMs = 2000; // reconnection delay advised to clients
        // Published events kept for subscribers that reconnect with Last-Event-ID.
        int replayEvents = 4096;
        qint64 replayBytes = 4 * 1024 * 1024;
    };

    explicit SseHub(Limits limits, QObject *parent = nullptr);
    ~SseHub() override;

    const Limits &limits() const { return m_limits; }
    bool isFull() const { return streamCount() >= m_limits.maxStreams; }
    int streamCount() const { return int(m_subscribers.size() + m_followers.size()); }
    int subscriberCount() const { return int(m_subscribers.size()); }
    int followerCount() const { return int(m_followers.size()); }
    int droppedCount() const { return m_dropped; }

    // Takes an exchange whose stream has started; `initial` (the current state) goes first.
    void subscribe(HttpExchange *exchange, const QByteArray &initial);
    // Sends one event to every subscriber, with the next id.
    void publish(const QByteArray &name, const QByteArray &data);
    // The id of the last event published ("<run>.<n>": ids of an earlier run of the daemon
    // never match), as an SSE block that sets a client's last event id.
    QByteArray idLine() const;
    // The events published after `lastEventId`, in order, when they are all still kept.
    std::optional<QByteArray> eventsSince(const QByteArray &lastEventId) const;
    // Pipes `stream`'s lines to `exchange` as `log` events, and takes ownership of the stream:
    // it is deleted (closing the upstream connection) when either side ends.
    void follow(HttpExchange *exchange, LogStream *stream);

Q_SIGNALS:
    // A stream ended: the client left, was dropped, or its source ended.
    void streamEnded(sm::HttpExchange *exchange, qint64 durationMs);

private:
    struct Follower {
        QPointer<HttpExchange> exchange;
        LogStream *stream = nullptr;
    };

    // Writes to one stream; false when the stream was dropped (gone or stalled).
    bool send(HttpExchange *exchange, const QByteArray &bytes);
    void remove(HttpExchange *exchange, bool abort);
    void heartbeat();

    struct Published {
        qint64 id;
        QByteArray bytes;
    };

    Limits m_limits;
    QByteArray m_run; // tells this run's event ids from an earlier run's
    qint64 m_lastId = 0;
    std::deque<Published> m_replay;
    qint64 m_replayBytes = 0;
    QList<QPointer<HttpExchange>> m_subscribers;
    QList<Follower> m_followers;
    QTimer m_heartbeat;
    int m_dropped = 0;
};

} // namespace sm

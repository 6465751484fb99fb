#pragma once

#include "HttpClient.h"

#include <QLocalSocket>
#include <QObject>

#include <deque>
#include <memory>

namespace sm {

// The machinery behind HttpClient: a bounded set of keep-alive connections to one socket path,
// a bounded FIFO of waiting requests, and a deadline per request. Internal to core/http.
class HttpPool final : public QObject {
    Q_DISABLE_COPY_MOVE(HttpPool)
public:
    HttpPool(QString socketPath, int maxConnections, QObject *parent = nullptr);
    // Answers everything still pending with Cancelled and closes every connection.
    ~HttpPool() override;

    void send(const HttpRequest &request, QObject *context, std::function<void(HttpResult)> done);
    void startStream(const HttpRequest &request, HttpStream *stream);

    QString socketPath() const { return m_socketPath; }
    void setSocketPath(const QString &path);
    int openConnections() const { return int(m_connections.size()); }

    // As many as the daemon has client connections: a burst of clients all asking one agent
    // waits its turn instead of failing, and memory stays bounded (a queued request is small).
    static constexpr qsizetype maxQueued = 4096;
    static constexpr int maxStreams = 64;

private:
    // New → Queued → Assigned → Done; a stream skips the queue and passes through Streaming once
    // its headers are in. A retry goes Assigned → Queued, once. Done is final.
    enum class JobState { New, Queued, Assigned, Streaming, Done };
    // Connecting → Busy ⇄ Idle; Closing once the peer is gone (read what it sent, never reuse);
    // Closed: out of the pool, deleted later, deaf to its socket.
    enum class ConnState { Connecting, Idle, Busy, Closing, Closed };
    struct Job;
    struct Connection;
    using JobPtr = std::shared_ptr<Job>;

    // HttpPool.cpp: the queue, deadlines and answers.
    void enqueue(const JobPtr &job);
    void pump();
    void pumpQueue();
    void drop(const JobPtr &job, const HttpError &error);
    void fail(const JobPtr &job, const HttpError &error);
    void succeed(const JobPtr &job);
    void finish(const JobPtr &job, HttpResult result);
    void emitData(const JobPtr &job, const QByteArray &bytes);
    void moveTo(Job &job, JobState next);
    int poolConnections() const;

    // HttpPoolIo.cpp: the socket side.
    void open(const JobPtr &job);
    void give(Connection *conn, const JobPtr &job);
    void onReadyRead(Connection *conn);
    void onLost(Connection *conn, QLocalSocket::LocalSocketError socketError);
    void process(Connection *conn, const QByteArray &bytes);
    void completeResponse(Connection *conn);
    HttpError connectError(QLocalSocket::LocalSocketError socketError) const;
    void moveTo(Connection *conn, ConnState next);

    QString m_socketPath;
    int m_maxConnections;
    QList<Connection *> m_connections; // every one not yet Closed
    std::deque<JobPtr> m_queue;
    bool m_pumping = false;
};

} // namespace sm

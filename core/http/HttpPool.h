#pragma once

#include "HttpClient.h"
#include "ResponseParser.h"

#include <QLocalSocket>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <memory>

namespace sm {

// The machinery behind HttpClient: a bounded set of keep-alive connections to one socket path,
// a bounded FIFO of waiting requests, and a deadline per request. Internal to core/http.
class HttpPool : public QObject {
    Q_DISABLE_COPY_MOVE(HttpPool)
public:
    HttpPool(QString socketPath, int maxConnections, QObject *parent = nullptr);
    ~HttpPool() override;

    void send(const HttpRequest &request, QObject *context, std::function<void(HttpResult)> done);
    void startStream(const HttpRequest &request, HttpStream *stream);
    // Answers every pending request with Cancelled and closes every connection.
    void cancelAll();

    QString socketPath() const { return m_socketPath; }
    void setSocketPath(const QString &path);
    int openConnections() const { return int(m_connections.size()); }

    // As many as the daemon has client connections: a burst of clients all asking one agent
    // waits its turn instead of failing, and memory stays bounded (a queued request is small).
    static constexpr qsizetype maxQueued = 4096;
    static constexpr int maxStreams = 64;

private:
    struct Job;
    struct Connection;
    using JobPtr = std::shared_ptr<Job>;

    void enqueue(const JobPtr &job);
    void pump();
    void pumpQueue();
    void failConnect(const JobPtr &job, QLocalSocket::LocalSocketError socketError);
    Connection *openConnection(bool forStream);
    void assign(Connection *conn, const JobPtr &job);
    void writeRequest(Connection *conn);
    void onConnected(Connection *conn);
    void onReadyRead(Connection *conn);
    void onLost(Connection *conn, QLocalSocket::LocalSocketError error);
    void process(Connection *conn, const QByteArray &bytes);
    void completeResponse(Connection *conn);
    void onTimeout(const JobPtr &job);
    void cancelStream(const JobPtr &job);
    void closeConnection(Connection *conn);
    int poolConnections() const;
    int streamConnections() const;

    void finishJob(const JobPtr &job, HttpResult result);
    void finishStream(const JobPtr &job, std::optional<HttpError> error);
    void emitHeaders(const JobPtr &job, const ResponseParser &parser);
    void emitData(const JobPtr &job, const QByteArray &bytes);

    QString m_socketPath;
    int m_maxConnections;
    QList<Connection *> m_connections;
    std::deque<JobPtr> m_queue;
    bool m_pumping = false;
};

} // namespace sm

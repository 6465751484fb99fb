#pragma once

#include "RequestGuard.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QUrlQuery>

#include <functional>
#include <memory>

class QTcpSocket;
class QHttpServerResponder;
class QWebSocket;

namespace sm {

using Header = QPair<QByteArray, QByteArray>;
using HeaderList = QList<Header>;

// One HTTP request and the one answer it will get. It owns the server's responder and guards
// the client socket with a QPointer: a client that leaves before a late answer must cost
// nothing (Qt 6.4 segfaults when writing to a socket it already deleted; from Qt 6.11,
// QHttpServerResponder::isResponseCanceled() says so instead, and can replace the guard).
class HttpExchange final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpExchange)
public:
    ~HttpExchange() override;

    const QByteArray &method() const { return m_method; }
    const QByteArray &rawPath() const { return m_rawPath; } // still percent-encoded
    const QUrlQuery &query() const { return m_query; }
    const QByteArray &body() const { return m_body; }
    QByteArray header(const QByteArray &name) const; // case-insensitive, empty when absent

    bool answered() const { return m_answered; }
    bool clientGone() const { return m_socket.isNull(); }
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    qint64 elapsedNs() const { return m_clock.nsecsElapsed(); }
    // When the request was taken in, on the host's monotonic clock (steadyClockNs()).
    qint64 arrivedNs() const { return m_arrivedNs; }
    // The route template the request matched ("/containers/{container}/services"), empty for
    // an unknown path: what request metrics name it by, never the raw path.
    const QString &route() const { return m_route; }
    void setRoute(const QString &route) { m_route = route; }
    // Extra time the backend may legitimately take (a Docker stop's grace period) before the
    // watchdog answers 504.
    void setExtraDeadlineMs(qint64 ms) { m_extraDeadlineMs = ms; }
    qint64 extraDeadlineMs() const { return m_extraDeadlineMs; }

    // Writes the answer once; later calls are ignored. Returns false if the client had left.
    bool respond(int status, const HeaderList &headers, const QByteArray &body);
    // Called with the answer when it is written, even to a client that left (the audit).
    void setOnAnswer(std::function<void(int status, const QByteArray &body)> hook) {
        m_onAnswer = std::move(hook);
    }
    // The client's address, as it connected ("127.0.0.1"); empty when unknown. Written out
    // only when asked (the audit asks): most requests never need the text.
    QString peerAddress() const { return m_peer.isNull() ? QString() : m_peer.toString(); }

    // A streamed answer (SSE): the status line and headers now (chunked transfer coding), then
    // body chunks as they come. It counts as the answer: respond() is ignored afterwards.
    // The chunks are framed here because Qt 6.4's responder cannot stream a body; Qt 6.8's
    // writeBeginChunked()/writeChunk() can replace this.
    bool startStream(int status, const HeaderList &headers);
    bool writeChunk(const QByteArray &bytes); // false if the client had left
    // Bytes accepted but not yet handed to the kernel: a client that stops reading grows it.
    qint64 pendingBytes() const;
    // Ends the stream cleanly (last chunk), or with `abort` drops the connection at once
    // without waiting for unsent bytes (a stalled client).
    void endStream(bool abort = false);
    bool streaming() const { return m_streaming; }
    // Hands what is written so far to the kernel now, without waiting (before a close).
    void flush();

Q_SIGNALS:
    // The client closed its connection (a stream's reader left).
    void clientLeft();

private:
    friend class HttpFront;
    HttpExchange(QByteArray method, QByteArray rawPath, QUrlQuery query, HeaderList headers,
                 QByteArray body, QHttpServerResponder &&responder, AfterAnswer afterAnswer);

    QByteArray m_method;
    QByteArray m_rawPath;
    QUrlQuery m_query;
    HeaderList m_headers;
    QByteArray m_body;
    std::unique_ptr<QHttpServerResponder> m_responder;
    QPointer<QTcpSocket> m_socket;
    QElapsedTimer m_clock;
    qint64 m_arrivedNs = 0;
    bool m_answered = false;
    AfterAnswer m_afterAnswer;
    qint64 m_extraDeadlineMs = 0;
    bool m_streaming = false;
    std::function<void(int, const QByteArray &)> m_onAnswer;
    QHostAddress m_peer;
    QString m_route;
};

// The only class that knows QHttpServer (its API changes in Qt 6.7 and 6.8). It does no
// routing of its own: every request becomes an HttpExchange handed to one handler, which
// takes ownership and must answer it.
class HttpFront final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpFront)
public:
    using Handler = std::function<void(HttpExchange *exchange)>;

    explicit HttpFront(Handler handler, QObject *parent = nullptr);
    ~HttpFront() override;

    // Returns the bound port, 0 on failure (port 0 picks a free one).
    quint16 listen(const QHostAddress &address, quint16 port);
    // Request bounds, the CORS headers of the listener's own refusals, and who is told of
    // each; before listen().
    void setLimits(const RequestLimits &limits, GuardedTcpServer::CorsHeaders cors,
                   GuardedTcpServer::Refused refused = {});
    // Takes every WebSocket upgrade, handshake done (QHttpServer answers it for any path, so
    // the handler checks the path and closes what it does not serve). Before listen().
    void setWebSocketHandler(std::function<void(QWebSocket *socket)> handler);

private:
    RequestLimits m_limits;
    GuardedTcpServer::CorsHeaders m_cors;
    GuardedTcpServer::Refused m_refused;
    class Server;
    std::unique_ptr<Server> m_server;
};

} // namespace sm

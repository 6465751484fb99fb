#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QTcpServer>

class QTcpSocket;

#include <functional>

namespace sm {

// Bounds on what one client may send before the daemon stops listening to it. QHttpServer 6.4
// has none of its own: it buffers a 1 MiB header line or a 100 MiB body whole before the
// request reaches a handler. Qt 6.11's QHttpServerConfiguration bounds header and body sizes
// itself, and can replace this guard.
struct RequestLimits {
    qint64 maxHeaderBytes = 16 * 1024; // request target + header names and values; more: 431
    qint64 maxBodyBytes = 1024 * 1024; // declared or received body; more: 413
    int maxConnections = 4096;         // open client connections; more: 503 and close
};

// What becomes of a connection once a request on it is answered, as its guard read the
// request (RFC 9112, 9.3). QHttpServer 6.4 keeps every connection open.
enum class AfterAnswer {
    KeepOpen,          // HTTP/1.1 without `Connection: close`
    KeepOpenConfirmed, // HTTP/1.0 with `Connection: keep-alive`: the answer says it too
    Close,             // `Connection: close`, or HTTP/1.0 without keep-alive
};
// The AfterAnswer of the next request QHttpServer hands on from this socket; call it once per
// request, in their order. KeepOpen for a socket without a guard.
AfterAnswer takeAfterAnswer(QTcpSocket *socket);

// The TCP listener under QHttpServer. Every accepted socket gets a guard that reads the same
// bytes QHttpServer will (libhttp-parser over peek(), before QHttpServer's own slot runs) and
// answers 431/413/400 itself, closing the connection, as soon as a request breaks a bound, so
// QHttpServer never buffers it. Past maxConnections a new client gets 503 at once.
class GuardedTcpServer final : public QTcpServer {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)
public:
    // The CORS headers of a refusal, from the request's Origin (empty when it had none).
    using CorsHeaders = std::function<QList<QPair<QByteArray, QByteArray>>(const QByteArray &)>;
    // Told of each refusal's status as it is written (the metrics count them).
    using Refused = std::function<void(int status)>;

    GuardedTcpServer(RequestLimits limits, CorsHeaders cors, Refused refused,
                     QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    int openConnections() const { return m_open; }

    // The raw answer a guard writes before closing: status line, headers, JSON envelope.
    static QByteArray refusal(int status, const QString &message,
                              const QList<QPair<QByteArray, QByteArray>> &headers);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    RequestLimits m_limits;
    CorsHeaders m_cors;
    Refused m_refused;
    int m_open = 0;
};

} // namespace sm

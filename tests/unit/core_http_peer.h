#pragma once

// A purpose-built HTTP peer on a Unix socket for fault tests of HttpClient: it answers each
// request through a per-test handler that may reply whole, in pieces, slowly, never, or badly.

#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QTemporaryDir>
#include <QTimer>

#include <functional>

class TestPeer final {
public:
    // Called once per complete request (head + Content-Length body) on a connection.
    using Handler = std::function<void(QLocalSocket *socket, const QByteArray &request)>;

    TestPeer() {
        m_server.listen(m_dir.filePath(QStringLiteral("peer.sock")));
        QObject::connect(&m_server, &QLocalServer::newConnection, &m_server, [this] {
            while (QLocalSocket *s = m_server.nextPendingConnection()) {
                ++m_accepted;
                ++m_open;
                m_maxOpen = qMax(m_maxOpen, m_open);
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(s, &QLocalSocket::disconnected, s, [this, s] {
                    --m_open;
                    s->deleteLater();
                });
                QObject::connect(s, &QLocalSocket::readyRead, s, [this, s, buffer] {
                    buffer->append(s->readAll());
                    while (true) {
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0)
                            return;
                        qsizetype length = 0;
                        const qsizetype at = buffer->indexOf("Content-Length: ");
                        if (at >= 0 && at < end)
                            length = buffer->mid(at + 16, buffer->indexOf('\r', at) - at - 16)
                                         .toLongLong();
                        if (buffer->size() < end + 4 + length)
                            return;
                        const QByteArray request = buffer->left(end + 4 + length);
                        buffer->remove(0, end + 4 + length);
                        m_requests.append(request);
                        if (m_handler)
                            m_handler(s, request);
                    }
                });
            }
        });
    }

    QString path() const { return m_server.fullServerName(); }
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    int accepted() const { return m_accepted; }
    int open() const { return m_open; }
    int maxOpen() const { return m_maxOpen; }
    const QList<QByteArray> &requests() const { return m_requests; }

    // Writes the pieces one event-loop turn (and a millisecond) apart, then optionally closes.
    static void writeInPieces(QLocalSocket *s, QList<QByteArray> pieces, bool closeAfter = false) {
        QPointer<QLocalSocket> guard(s);
        if (!guard)
            return;
        if (pieces.isEmpty()) {
            if (closeAfter)
                s->disconnectFromServer();
            return;
        }
        s->write(pieces.takeFirst());
        s->flush();
        QTimer::singleShot(1, s, [guard, pieces, closeAfter] {
            if (guard)
                writeInPieces(guard, pieces, closeAfter);
        });
    }

    static QByteArray json(const QByteArray &body, int status = 200) {
        return "HTTP/1.1 " + QByteArray::number(status) +
               " X\r\nContent-Type: application/json\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }

private:
    QTemporaryDir m_dir;
    QLocalServer m_server;
    Handler m_handler;
    QList<QByteArray> m_requests;
    int m_accepted = 0;
    int m_open = 0;
    int m_maxOpen = 0;
};

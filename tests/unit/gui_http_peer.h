#pragma once

// A scripted HTTP/1.1 peer on loopback TCP for RemoteBackend's tests: canned answers per
// "METHOD /path", a route that never answers (timeouts), and SSE routes the test writes to.
// It reads just enough of each request (request line, headers, Content-Length body) for that.
#include <QHash>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

struct PeerRequest {
    QByteArray method;
    QByteArray target;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

class HttpPeer final : public QObject {
    Q_OBJECT
public:
    struct Reply {
        int status = 200;
        QByteArray contentType = "application/json";
        QByteArray body;
        bool hang = false;   // read the request, never answer
        bool stream = false; // SSE: headers now, events via push()
    };

    HttpPeer() {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                m_buffers.insert(socket, {});
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onRead(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    QUrl url() const { return QUrl(QString("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    void route(const QByteArray &methodAndPath, const Reply &reply) {
        m_routes[methodAndPath] = reply;
    }
    void push(const QByteArray &bytes) {
        for (const auto &s : std::as_const(m_streams))
            if (s)
                s->write(bytes);
    }
    void closeStreams() {
        for (const auto &s : std::as_const(m_streams))
            if (s)
                s->disconnectFromHost();
        m_streams.clear();
    }
    int openStreams() const {
        int n = 0;
        for (const auto &s : m_streams)
            n += s && s->state() == QAbstractSocket::ConnectedState;
        return n;
    }
    QList<PeerRequest> requests;

Q_SIGNALS:
    void requestReceived();

private:
    void onRead(QTcpSocket *socket) {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            PeerRequest request;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.target = first.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                if (colon > 0)
                    request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                           lines[i].mid(colon + 1).trimmed());
            }
            const qsizetype length = request.headers.value("content-length", "0").toLongLong();
            if (buffer.size() < end + 4 + length)
                return;
            request.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            requests.append(request);
            answer(socket, request);
            Q_EMIT requestReceived();
        }
    }

    void answer(QTcpSocket *socket, const PeerRequest &request) {
        const QByteArray path = request.target.split('?').value(0);
        const auto it = m_routes.constFind(request.method + ' ' + path);
        Reply reply = it == m_routes.constEnd()
                          ? Reply{404, "application/json", R"({"error":"Not Found","detail":null})",
                                  false, false}
                          : *it;
        if (reply.hang)
            return;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) +
                          " X\r\nContent-Type: " + reply.contentType + "\r\n";
        if (reply.stream) {
            socket->write(head + "Cache-Control: no-cache\r\nConnection: close\r\n\r\n" +
                          reply.body);
            m_streams.append(socket);
            return;
        }
        socket->write(head + "Content-Length: " + QByteArray::number(reply.body.size()) +
                      "\r\n\r\n" + reply.body);
    }

    QTcpServer m_server;
    QHash<QByteArray, Reply> m_routes;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QPointer<QTcpSocket>> m_streams;
};

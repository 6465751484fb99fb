#pragma once

// A light SSE client for tests: one raw QTcpSocket, the HTTP head parsed by hand (the answers
// are our own), chunked framing removed, events through the product's SseParser.

#include "http/SseParser.h"

#include <QHostAddress>
#include <QTcpSocket>

#include <chrono>

class SseTestClient final : public QObject {
public:
    explicit SseTestClient(QObject *parent = nullptr)
        : QObject(parent) {
        connect(&socket, &QTcpSocket::readyRead, this, [this] { onBytes(socket.readAll()); });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { closed = true; });
    }

    void get(quint16 port, const QByteArray &path, const QByteArray &extraHeaders = {}) {
        socket.connectToHost(QHostAddress::LocalHost, port);
        socket.write("GET " + path +
                     " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n" +
                     extraHeaders + "\r\n");
    }

    int count(const QString &name) const {
        int n = 0;
        for (const sm::SseEvent &event : events)
            n += event.event == name ? 1 : 0;
        return n;
    }
    QStringList data(const QString &name) const {
        QStringList out;
        for (const sm::SseEvent &event : events) {
            if (event.event == name)
                out.append(event.data);
        }
        return out;
    }
    static qint64 nowMs() {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    }
    QByteArray header(const QByteArray &name) const {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }

    QTcpSocket socket;
    int status = 0;
    QByteArray head;
    QByteArray body; // de-chunked
    QList<sm::SseEvent> events;
    QList<qint64> eventAtMs; // steady-clock arrival time of each event
    bool ended = false;      // the last chunk came
    bool closed = false;

private:
    void onBytes(const QByteArray &bytes) {
        m_buffer += bytes;
        if (status == 0) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            head = m_buffer.left(end);
            status = head.mid(9, 3).toInt();
            m_chunked = header("Transfer-Encoding").toLower() == "chunked";
            m_buffer.remove(0, end + 4);
        }
        if (!m_chunked) {
            body += m_buffer;
            m_buffer.clear();
            return;
        }
        while (!ended) {
            const qsizetype eol = m_buffer.indexOf("\r\n");
            if (eol < 0)
                return;
            bool ok = false;
            const qsizetype size = m_buffer.left(eol).toLongLong(&ok, 16);
            if (!ok || m_buffer.size() < eol + 2 + size + 2)
                return;
            const QByteArray chunk = m_buffer.mid(eol + 2, size);
            m_buffer.remove(0, eol + 2 + size + 2);
            if (size == 0) {
                ended = true;
                return;
            }
            body += chunk;
            const QList<sm::SseEvent> parsed = m_parser.feed(chunk);
            events += parsed;
            for (qsizetype i = 0; i < parsed.size(); ++i)
                eventAtMs.append(nowMs());
        }
    }

    QByteArray m_buffer;
    bool m_chunked = false;
    sm::SseParser m_parser;
};

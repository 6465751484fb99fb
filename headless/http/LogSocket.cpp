#include "LogSocket.h"

#include "backend/Backend.h"
#include "model/JsonWriter.h"

#include <QTimer>
#include <QWebSocket>

namespace sm {

LogSocket::LogSocket(QWebSocket *socket, qint64 maxBacklogBytes, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_maxBacklog(maxBacklogBytes) {
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        close();
        deleteLater();
    });
}

LogSocket::~LogSocket() = default;

QByteArray LogSocket::frame(const char *type, const QString &data) {
    return JsonObjectWriter().add("type", type).add("data", data).toJson();
}

void LogSocket::follow(LogStream *stream) {
    m_stream = stream;
    m_stream->setParent(this);
    connect(m_stream, &LogStream::line, this, [this](const QString &text) {
        m_pending.append(text);
        // The lines of one read (the whole first tail, or what s6-log wrote together) go
        // out as one frame, once this pass of the event loop is over.
        if (!m_flushQueued) {
            m_flushQueued = true;
            QTimer::singleShot(0, this, &LogSocket::flushLines);
        }
    });
    connect(m_stream, &LogStream::finished, this, [this](const ApiError &error) {
        flushLines();
        fail(error.status == 0 ? QStringLiteral("The log stream ended") : error.message);
    });
}

void LogSocket::flushLines() {
    m_flushQueued = false;
    if (m_pending.isEmpty() || m_closing)
        return;
    QString text = m_pending.join(QLatin1Char('\n'));
    text += QLatin1Char('\n');
    m_pending.clear();
    m_socket->sendTextMessage(QString::fromUtf8(frame("logs", text)));
    if (m_socket->bytesToWrite() > m_maxBacklog) {
        // A reader that stopped reading: drop it rather than buffer without end.
        m_socket->abort();
        close();
    }
}

void LogSocket::fail(const QString &message) {
    if (m_closing)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(frame("error", message)));
    m_socket->close(QWebSocketProtocol::CloseCodeNormal);
    close();
}

void LogSocket::close() {
    if (m_closing)
        return;
    m_closing = true;
    delete m_stream; // closes the upstream connection now
    m_stream = nullptr;
    emit ended();
    // The socket goes when the client has seen the close (disconnected, above), or after a
    // grace period for a client that never answers it.
    QTimer::singleShot(kCloseGraceMs, this, &QObject::deleteLater);
}

} // namespace sm

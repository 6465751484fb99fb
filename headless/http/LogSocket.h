#pragma once

#include "model/ApiError.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

class QWebSocket;

namespace sm {

class LogStream;

// One client of WS /ws/containers/{container}/services/{service}/logs (the successor's web
// UI): text frames {"type":"logs","data":"<text>"}, the lines that arrive together in one
// frame (the first holds the last 100 lines), and {"type":"error","data":"<message>"} followed
// by a close when the source fails. A client that leaves more than `maxBacklogBytes` unread
// is dropped; the upstream stream closes with it. Deletes itself when done.
class LogSocket final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogSocket)
public:
    // Takes both. `stream` may be null when the source could not be reached: `error` says why.
    LogSocket(QWebSocket *socket, qint64 maxBacklogBytes, QObject *parent = nullptr);
    ~LogSocket() override;

    void follow(LogStream *stream);
    // Sends the error frame and closes.
    void fail(const QString &message);

    static QByteArray frame(const char *type, const QString &data);
    static constexpr int kCloseGraceMs = 5000;

Q_SIGNALS:
    void ended();

private:
    void flushLines();
    void close();

    QWebSocket *m_socket;
    LogStream *m_stream = nullptr;
    qint64 m_maxBacklog;
    QStringList m_pending; // lines that came in the current event-loop pass
    bool m_flushQueued = false;
    bool m_closing = false;
};

} // namespace sm

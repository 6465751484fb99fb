#pragma once

#include "backend/Backend.h"

#include <QPointer>
#include <QStringList>
#include <QTimer>

namespace sm {

// Follows the log of one service or Docker container through a Backend: live through
// followLogs()/followDockerLogs() while the backend streams, else by polling (services by
// byte cursor; Docker by tail, skipping the lines already delivered).
class LogFollower final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogFollower)
public:
    struct Source {
        enum Kind { None, Service, Docker };
        Kind kind = None;
        QString container; // services only
        QString name;      // service id or Docker container name
        bool operator==(const Source &) const = default;
    };

    explicit LogFollower(QObject *parent = nullptr);

    void setBackend(Backend *backend);
    void follow(const Source &source);
    void stop();
    Source source() const { return m_source; }
    bool isLive() const { return m_stream != nullptr; }
    void setTail(int lines) { m_tail = lines; }
    void setPollInterval(int ms) { m_pollTimer.setInterval(ms); }

Q_SIGNALS:
    void linesArrived(const QStringList &lines);
    // live: streaming; otherwise polling, and `reason` says why.
    void modeChanged(bool live, const QString &reason);
    void errorOccurred(const QString &message);

private:
    void startStream();
    void onStreamFinished(const sm::ApiError &error);
    void startPolling(const QString &reason);
    void poll();
    void deliver(QStringList lines, bool afterCursor);
    void pollFailed(const ApiError &error);
    void dropStream();

    QPointer<Backend> m_backend;
    Source m_source;
    LogStream *m_stream = nullptr;
    QTimer m_pollTimer;
    bool m_polling = false;
    bool m_pollInFlight = false;
    bool m_cursorUnsupported = false;
    bool m_seenAny = false;
    std::optional<qint64> m_cursor;
    QString m_lastLine;
    QString m_lastPollError;
    quint64 m_generation = 0;
    int m_tail = 200;
};

} // namespace sm

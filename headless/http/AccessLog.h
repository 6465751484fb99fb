#pragma once

#include <QByteArray>
#include <QObject>
#include <QTimer>

namespace sm {

// One line per request on stderr: "METHOD path status ms". Lines are buffered and written in
// batches (at most every 100 ms or 16 KiB) so logging never limits the request rate.
class AccessLog final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccessLog)
public:
    explicit AccessLog(bool enabled, QObject *parent = nullptr);
    ~AccessLog() override;

    void record(const QByteArray &method, const QByteArray &path, int status, qint64 ms,
                bool clientGone);
    // Another line in the same stream (the audit's), written even when requests are not.
    void writeLine(const QByteArray &line);
    void flush();

private:
    void scheduleFlush();

    bool m_enabled;
    QByteArray m_buffer;
    QTimer m_timer;
};

} // namespace sm

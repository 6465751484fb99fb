#include "AccessLog.h"

#include <cerrno>
#include <unistd.h>

namespace sm {

namespace {
constexpr qsizetype kFlushBytes = 16 * 1024;
constexpr int kFlushMs = 100;
} // namespace

AccessLog::AccessLog(bool enabled, QObject *parent)
    : QObject(parent)
    , m_enabled(enabled) {
    m_timer.setSingleShot(true);
    m_timer.setInterval(kFlushMs);
    connect(&m_timer, &QTimer::timeout, this, &AccessLog::flush);
}

AccessLog::~AccessLog() {
    flush();
}

void AccessLog::record(const QByteArray &method, const QByteArray &path, int status, qint64 ms,
                       bool clientGone) {
    if (!m_enabled)
        return;
    m_buffer += method;
    m_buffer += ' ';
    // The path is the encoded request path (no query string, no headers: tokens stay out).
    m_buffer += path;
    m_buffer += ' ';
    m_buffer += QByteArray::number(status);
    m_buffer += ' ';
    m_buffer += QByteArray::number(ms);
    m_buffer += clientGone ? "ms client-gone\n" : "ms\n";
    scheduleFlush();
}

void AccessLog::writeLine(const QByteArray &line) {
    m_buffer += line;
    m_buffer += '\n';
    scheduleFlush();
}

void AccessLog::scheduleFlush() {
    if (m_buffer.size() >= kFlushBytes)
        flush();
    else if (!m_timer.isActive())
        m_timer.start();
}

void AccessLog::flush() {
    m_timer.stop();
    const char *data = m_buffer.constData();
    qsizetype left = m_buffer.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, data, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // stderr closed or full: drop the lines rather than stall requests
        data += n;
        left -= n;
    }
    m_buffer.clear();
}

} // namespace sm

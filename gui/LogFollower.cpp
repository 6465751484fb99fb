#include "LogFollower.h"

namespace sm {

namespace {
QStringList splitLines(QString text) {
    if (text.endsWith(QLatin1Char('\n')))
        text.chop(1);
    if (text.isEmpty())
        return {};
    return text.split(QLatin1Char('\n'));
}
} // namespace

LogFollower::LogFollower(QObject *parent)
    : QObject(parent) {
    m_pollTimer.setInterval(2000);
    connect(&m_pollTimer, &QTimer::timeout, this, &LogFollower::poll);
}

void LogFollower::setBackend(Backend *backend) {
    m_backend = backend;
    const Source source = m_source;
    stop();
    if (source.kind != Source::None)
        follow(source);
}

void LogFollower::dropStream() {
    if (!m_stream)
        return;
    m_stream->disconnect(this);
    m_stream->deleteLater(); // it may be emitting right now
    m_stream = nullptr;
}

void LogFollower::stop() {
    ++m_generation;
    dropStream();
    m_pollTimer.stop();
    m_polling = false;
    m_pollInFlight = false;
    m_cursor.reset();
    m_cursorUnsupported = false;
    m_seenAny = false;
    m_lastLine.clear();
    m_lastPollError.clear();
    m_source = {};
}

void LogFollower::follow(const Source &source) {
    stop();
    m_source = source;
    if (m_source.kind == Source::None || !m_backend)
        return;
    startStream();
}

void LogFollower::startStream() {
    m_stream = m_source.kind == Source::Service
                   ? m_backend->followLogs(m_source.container, m_source.name, m_tail)
                   : m_backend->followDockerLogs(m_source.name, m_tail);
    if (!m_stream) {
        startPolling(tr("live follow is not available"));
        return;
    }
    m_stream->setParent(this);
    connect(m_stream, &LogStream::line, this, [this](const QString &line) {
        m_seenAny = true;
        m_lastLine = line;
        Q_EMIT linesArrived({line});
    });
    connect(m_stream, &LogStream::finished, this, &LogFollower::onStreamFinished);
    Q_EMIT modeChanged(true, {});
}

void LogFollower::onStreamFinished(const ApiError &error) {
    dropStream();
    startPolling(error.status == 0 ? tr("the live stream ended") : error.message);
}

void LogFollower::startPolling(const QString &reason) {
    m_polling = true;
    Q_EMIT modeChanged(false, reason);
    poll();
    m_pollTimer.start();
}

void LogFollower::poll() {
    if (!m_backend || !m_polling || m_pollInFlight)
        return;
    m_pollInFlight = true;
    const quint64 generation = m_generation;
    if (m_source.kind == Source::Docker) {
        m_backend->dockerLogs(this, m_source.name, m_tail,
                              [this, generation](Result<DockerLogs> r) {
                                  if (generation != m_generation)
                                      return;
                                  m_pollInFlight = false;
                                  if (!r.ok())
                                      return pollFailed(r.error());
                                  deliver(splitLines(r.value().logs), false);
                              });
        return;
    }
    LogQuery query;
    query.tail = m_tail;
    // The first poll asks for the tail, whose answer says where it ends; later polls go on
    // from there by cursor (a daemon without cursors gets tails, and seen lines are skipped).
    if (m_cursor && !m_cursorUnsupported)
        query.cursor = m_cursor;
    m_backend->logs(this, m_source.container, m_source.name, query,
                    [this, generation, hadCursor = m_cursor.has_value()](Result<LogChunk> r) {
                        if (generation != m_generation)
                            return;
                        m_pollInFlight = false;
                        if (!r.ok())
                            return pollFailed(r.error());
                        if (!r.value().cursor)
                            m_cursorUnsupported = true; // an older daemon: tail and skip
                        m_cursor = r.value().cursor;
                        deliver(splitLines(r.value().logs), hadCursor && m_cursor);
                    });
}

void LogFollower::deliver(QStringList lines, bool afterCursor) {
    m_lastPollError.clear();
    if (!afterCursor && m_seenAny) {
        const qsizetype seen = lines.lastIndexOf(m_lastLine);
        if (seen >= 0)
            lines = lines.mid(seen + 1);
    }
    if (!m_seenAny && lines.size() > m_tail)
        lines = lines.mid(lines.size() - m_tail);
    if (lines.isEmpty())
        return;
    m_seenAny = true;
    m_lastLine = lines.constLast();
    Q_EMIT linesArrived(lines);
}

void LogFollower::pollFailed(const ApiError &error) {
    // Report a failure once, not on every poll, until it changes or clears.
    if (error.message == m_lastPollError)
        return;
    m_lastPollError = error.message;
    Q_EMIT errorOccurred(error.message);
}

} // namespace sm

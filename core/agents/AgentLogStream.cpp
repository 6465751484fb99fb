#include "AgentLogStream.h"

#include "AgentClient.h"

namespace sm {

AgentLogStream::AgentLogStream(QString container, HttpStream *upstream, int timeoutMs,
                               QObject *parent)
    : LogStream(parent)
    , m_container(std::move(container))
    , m_timeoutMs(timeoutMs)
    , m_upstream(upstream) {
    // Owning the upstream means deleting this stream closes the agent connection.
    upstream->setParent(this);
    connect(upstream, &HttpStream::headersReceived, this,
            [this](int status, const auto &) { onHeaders(status); });
    connect(upstream, &HttpStream::data, this, &AgentLogStream::onData);
    connect(upstream, &HttpStream::finished, this, &AgentLogStream::onFinished);
}

AgentLogStream::~AgentLogStream() = default;

void AgentLogStream::onHeaders(int status) {
    m_status = status;
}

void AgentLogStream::onData(const QByteArray &bytes) {
    if (m_done)
        return;
    m_pending += bytes;
    if (m_status != 200) {
        // An error answer's body is its envelope: keep a bounded amount for onFinished.
        m_pending.truncate(64 * 1024);
        return;
    }
    // A receiver may delete this stream from its line() slot: stop at once if so.
    const QPointer<AgentLogStream> alive(this);
    qsizetype start = 0;
    while (true) {
        const qsizetype nl = m_pending.indexOf('\n', start);
        if (nl < 0)
            break;
        QByteArray line = m_pending.mid(start, nl - start);
        start = nl + 1;
        emitLine(std::move(line));
        if (!alive)
            return;
    }
    m_pending.remove(0, start);
    while (m_pending.size() > maxLineBytes) {
        const QByteArray piece = m_pending.left(maxLineBytes);
        m_pending.remove(0, maxLineBytes);
        emitLine(piece);
        if (!alive)
            return;
    }
}

void AgentLogStream::emitLine(QByteArray line) {
    if (line.endsWith('\r'))
        line.chop(1);
    Q_EMIT this->line(QString::fromUtf8(line));
}

void AgentLogStream::onFinished(const std::optional<HttpError> &error) {
    if (m_done)
        return;
    m_done = true;
    if (error) {
        Q_EMIT finished(
            AgentClient::mapError(m_container, HttpResult{std::nullopt, *error}, m_timeoutMs));
        return;
    }
    if (m_status != 200) {
        Q_EMIT finished(AgentClient::mapStatus(m_container, m_status, m_pending));
        return;
    }
    const QPointer<AgentLogStream> alive(this);
    if (!m_pending.isEmpty())
        emitLine(std::exchange(m_pending, {}));
    if (alive)
        Q_EMIT finished(ApiError::none());
}

} // namespace sm

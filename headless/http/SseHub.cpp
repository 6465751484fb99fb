#include "SseHub.h"

#include "HttpFront.h"
#include "backend/Backend.h"

#include <QRandomGenerator>

namespace sm {

QByteArray sseEvent(const EncodedEvent &event) {
    return sseEvent(event.name, event.data);
}

QByteArray sseEvent(const QByteArray &name, const QByteArray &data) {
    QByteArray out;
    out.reserve(name.size() + data.size() + 16);
    out += "event: " + name + '\n';
    // Every line terminator SSE knows (\r\n, \r, \n) starts a new data line; a bare \r left in
    // a data line would cut it short at the client.
    out += "data: ";
    for (qsizetype i = 0; i < data.size(); ++i) {
        const char c = data.at(i);
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < data.size() && data.at(i + 1) == '\n')
                ++i;
            out += "\ndata: ";
        } else {
            out += c;
        }
    }
    out += "\n\n";
    return out;
}

SseHub::SseHub(Limits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_run(QByteArray::number(QRandomGenerator::global()->generate(), 36)) {
    m_heartbeat.setInterval(m_limits.heartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &SseHub::heartbeat);
    m_heartbeat.start();
}

SseHub::~SseHub() {
    // Upstream log connections close with their streams; exchanges belong to the server.
    for (const Follower &follower : std::as_const(m_followers))
        delete follower.stream;
}

void SseHub::subscribe(HttpExchange *exchange, const QByteArray &initial) {
    m_subscribers.append(exchange);
    connect(exchange, &HttpExchange::clientLeft, this,
            [this, exchange] { remove(exchange, false); });
    send(exchange, "retry: " + QByteArray::number(m_limits.retryMs) + "\n\n" + initial);
}

QByteArray SseHub::idLine() const {
    return "id: " + m_run + '.' + QByteArray::number(m_lastId) + "\n\n";
}

std::optional<QByteArray> SseHub::eventsSince(const QByteArray &lastEventId) const {
    const qsizetype dot = lastEventId.lastIndexOf('.');
    if (dot < 0 || lastEventId.left(dot) != m_run)
        return std::nullopt;
    bool ok = false;
    const qint64 last = lastEventId.mid(dot + 1).toLongLong(&ok);
    const qint64 oldest = m_replay.empty() ? m_lastId + 1 : m_replay.front().id;
    if (!ok || last > m_lastId || last < oldest - 1)
        return std::nullopt; // not ours, or older than what is kept
    QByteArray missed;
    for (auto it = m_replay.begin() + (last - (oldest - 1)); it != m_replay.end(); ++it)
        missed += it->bytes;
    return missed;
}

void SseHub::publish(const QByteArray &name, const QByteArray &data) {
    const qint64 id = ++m_lastId;
    const QByteArray bytes =
        "id: " + m_run + '.' + QByteArray::number(id) + '\n' + sseEvent(name, data);
    m_replay.push_back({id, bytes});
    m_replayBytes += bytes.size();
    while (!m_replay.empty() && (qsizetype(m_replay.size()) > m_limits.replayEvents ||
                                 m_replayBytes > m_limits.replayBytes)) {
        m_replayBytes -= m_replay.front().bytes.size();
        m_replay.pop_front();
    }
    // A copy: sending may drop subscribers from the list.
    const QList<QPointer<HttpExchange>> subscribers = m_subscribers;
    for (const QPointer<HttpExchange> &exchange : subscribers)
        send(exchange, bytes);
    m_subscribers.removeAll(nullptr);
}

void SseHub::follow(HttpExchange *exchange, LogStream *stream) {
    stream->setParent(this);
    m_followers.append({exchange, stream});
    connect(exchange, &HttpExchange::clientLeft, this,
            [this, exchange] { remove(exchange, false); });
    connect(stream, &LogStream::line, this, [this, exchange](const QString &text) {
        send(exchange, sseEvent(encodeLogLine(text)));
    });
    connect(stream, &LogStream::finished, this, [this, exchange](const ApiError &error) {
        // A source that failed says why before the stream ends; a clean end just ends.
        if (error.status != 0)
            send(exchange, sseEvent(encodeLogError(error)));
        remove(exchange, false);
    });
}

bool SseHub::send(HttpExchange *exchange, const QByteArray &bytes) {
    if (!exchange)
        return false;
    if (!exchange->writeChunk(bytes)) {
        remove(exchange, false);
        return false;
    }
    if (exchange->pendingBytes() > m_limits.maxBacklogBytes) {
        ++m_dropped;
        remove(exchange, true);
        return false;
    }
    return true;
}

void SseHub::remove(HttpExchange *exchange, bool abort) {
    const qsizetype subscriber = m_subscribers.indexOf(exchange);
    if (subscriber >= 0)
        m_subscribers.removeAt(subscriber);
    bool found = subscriber >= 0;
    for (qsizetype i = 0; i < m_followers.size(); ++i) {
        if (m_followers.at(i).exchange != exchange)
            continue;
        LogStream *stream = m_followers.at(i).stream;
        m_followers.removeAt(i);
        disconnect(stream, nullptr, this, nullptr);
        // Closing the upstream connection; later, as this may run inside the stream's signal.
        stream->deleteLater();
        found = true;
        break;
    }
    if (!found)
        return;
    disconnect(exchange, nullptr, this, nullptr);
    exchange->endStream(abort);
    Q_EMIT streamEnded(exchange, exchange->elapsedMs());
    exchange->deleteLater();
}

void SseHub::heartbeat() {
    // A comment line: clients ignore it, proxies and idle timers see traffic.
    static const QByteArray beat = ": keepalive\n\n";
    const QList<QPointer<HttpExchange>> subscribers = m_subscribers;
    for (const QPointer<HttpExchange> &exchange : subscribers)
        send(exchange, beat);
    m_subscribers.removeAll(nullptr);
    QList<QPointer<HttpExchange>> followers;
    for (const Follower &follower : std::as_const(m_followers))
        followers.append(follower.exchange);
    for (const QPointer<HttpExchange> &exchange : followers)
        send(exchange, beat);
}

} // namespace sm

#include "Watchdog.h"

#include "HttpFront.h"

#include <iterator>

namespace sm {

Watchdog::Watchdog(qint64 timeoutMs, int resolutionMs, Expired expired, QObject *parent)
    : QObject(parent)
    , m_timeoutMs(timeoutMs)
    , m_expired(std::move(expired)) {
    m_clock.start();
    m_timer.setInterval(resolutionMs);
    connect(&m_timer, &QTimer::timeout, this, &Watchdog::check);
}

Watchdog::~Watchdog() = default;

void Watchdog::watch(HttpExchange *exchange) {
    const qint64 deadline = m_clock.elapsed() + m_timeoutMs + exchange->extraDeadlineMs();
    // Almost always the latest deadline; only requests with extra time need a search.
    auto pos = m_pending.end();
    while (pos != m_pending.begin() && std::prev(pos)->deadline > deadline)
        --pos;
    m_index.insert(exchange, m_pending.insert(pos, {deadline, exchange}));
    // An exchange freed without an answer (its stream ended) must leave no stale entry.
    connect(exchange, &QObject::destroyed, this, [this, exchange] { unwatch(exchange); });
    if (!m_timer.isActive())
        m_timer.start();
}

void Watchdog::unwatch(HttpExchange *exchange) {
    const auto pending = m_index.constFind(exchange);
    if (pending == m_index.constEnd())
        return;
    m_pending.erase(*pending);
    m_index.erase(pending);
}

QList<QPointer<HttpExchange>> Watchdog::takeAll() {
    QList<QPointer<HttpExchange>> all;
    for (const Pending &p : m_pending)
        all.append(p.exchange);
    m_pending.clear();
    m_index.clear();
    m_timer.stop();
    return all;
}

void Watchdog::check() {
    const qint64 now = m_clock.elapsed();
    while (!m_pending.empty() && m_pending.front().deadline <= now) {
        const QPointer<HttpExchange> exchange = m_pending.front().exchange;
        m_pending.pop_front();
        if (!exchange)
            continue; // a stream that has ended since
        m_index.remove(exchange.data());
        m_expired(exchange);
    }
    if (m_pending.empty())
        m_timer.stop();
}

} // namespace sm

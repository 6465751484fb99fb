#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <list>

namespace sm {

class HttpExchange;

// Makes sure every request is answered exactly once even if the backend's answer gets lost:
// an exchange still waiting `timeoutMs` (plus its own extra time) after it was watched is
// handed to `expired`. Requests are kept in deadline order (nearly all share one timeout, so
// new ones go at the end), under one coarse timer: a timer per request costs O(pending) to
// register and unregister in Qt's timer list.
class Watchdog final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Watchdog)
public:
    using Expired = std::function<void(HttpExchange *exchange)>;

    // Checks every `resolutionMs`.
    Watchdog(qint64 timeoutMs, int resolutionMs, Expired expired, QObject *parent = nullptr);
    ~Watchdog() override;

    void watch(HttpExchange *exchange);
    void unwatch(HttpExchange *exchange);
    // Takes every exchange still waiting out of the watch (at shutdown).
    QList<QPointer<HttpExchange>> takeAll();

private:
    struct Pending {
        qint64 deadline;
        QPointer<HttpExchange> exchange;
    };
    void check();

    qint64 m_timeoutMs;
    Expired m_expired;
    std::list<Pending> m_pending;
    QHash<HttpExchange *, std::list<Pending>::iterator> m_index;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

} // namespace sm

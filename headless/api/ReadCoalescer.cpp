#include "ReadCoalescer.h"

#include "http/HttpFront.h"

#include <utility>

namespace sm {

ReadCoalescer::ReadCoalescer(Answer answer, int abandonAfterMs, QObject *parent)
    : QObject(parent)
    , m_answer(std::move(answer))
    , m_abandonAfterMs(abandonAfterMs) {}

ReadCoalescer::~ReadCoalescer() = default;

void ReadCoalescer::request(const QString &key, HttpExchange *exchange, Start start) {
    Slot &slot = m_slots[key];
    if (slot.context && slot.running.elapsed() > m_abandonAfterMs) {
        slot.context.reset(); // drops the lost call's answer, should it still come
        slot.current = std::exchange(slot.next, {});
    }
    if (slot.context) {
        slot.next.append(exchange); // the running call may predate this request
        slot.start = std::move(start);
        return;
    }
    slot.current.append(exchange);
    slot.start = std::move(start);
    launch(key, slot);
}

void ReadCoalescer::launch(const QString &key, Slot &slot) {
    slot.context = std::make_unique<QObject>();
    slot.running.start();
    // A copy: the slot's function may be replaced while this call runs.
    const Start start = slot.start;
    start(slot.context.get(),
          [this, key](const Result<QByteArray> &result) { finished(key, result); });
}

void ReadCoalescer::finished(const QString &key, const Result<QByteArray> &result) {
    auto it = m_slots.find(key);
    if (it == m_slots.end())
        return;
    Slot &slot = it->second;
    QList<QPointer<HttpExchange>> waiting = std::exchange(slot.current, {});
    // An agent that just let a whole request timeout pass unanswered is not asked again for
    // those already waiting: they get the 504 now rather than a second full timeout later.
    if (!result.ok() && result.error().status == 504)
        waiting += std::exchange(slot.next, {});
    // This runs inside a callback bound to the context: delete it later, not under our feet.
    slot.context.release()->deleteLater();
    if (!slot.next.isEmpty()) {
        slot.current = std::exchange(slot.next, {});
        launch(key, slot);
    } else {
        m_slots.erase(it);
    }
    for (const QPointer<HttpExchange> &exchange : waiting) {
        if (exchange) // gone when the watchdog already answered it
            m_answer(exchange, result);
    }
}

} // namespace sm

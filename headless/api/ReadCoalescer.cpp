#include "ReadCoalescer.h"

#include "http/HttpFront.h"
#include "model/Types.h"

#include <QMetaObject>

#include <algorithm>
#include <utility>

namespace sm {

ReadCoalescer::ReadCoalescer(Answer answer, int abandonAfterMs, QObject *parent)
    : QObject(parent)
    , m_answer(std::move(answer))
    , m_abandonAfterMs(abandonAfterMs) {}

ReadCoalescer::~ReadCoalescer() = default;

void ReadCoalescer::request(const QString &key, HttpExchange *exchange, Start start) {
    Slot &slot = m_slots[key];
    dropAbandoned(slot);
    slot.pending.append(exchange);
    slot.start = std::move(start);
    if (!slot.call)
        launchSoon(key, slot);
}

void ReadCoalescer::dropAbandoned(Slot &slot) {
    // A call whose requests the watchdog has answered is lost: it must not hold back the next,
    // and its answer, should it still come, is dropped with its context. Its requests may be
    // answered a little before its own deadline passes, hence both tests.
    if (!slot.call)
        return;
    const QList<QPointer<HttpExchange>> &waiting = slot.call->waiting;
    const bool awaited =
        std::any_of(waiting.begin(), waiting.end(), [](const QPointer<HttpExchange> &exchange) {
            return exchange && !exchange->answered();
        });
    if (!awaited || slot.call->running.elapsed() > m_abandonAfterMs)
        slot.call.reset();
}

void ReadCoalescer::launchSoon(const QString &key, Slot &slot) {
    if (slot.launchQueued)
        return;
    slot.launchQueued = true;
    // Queued: every request read in this pass of the loop joins the call.
    QMetaObject::invokeMethod(
        this, [this, key] { launch(key); }, Qt::QueuedConnection);
}

void ReadCoalescer::launch(const QString &key) {
    auto it = m_slots.find(key);
    if (it == m_slots.end())
        return;
    Slot &slot = it->second;
    slot.launchQueued = false;
    if (slot.pending.isEmpty() || slot.call)
        return;
    auto call = std::make_unique<Call>();
    call->context = std::make_unique<QObject>();
    call->waiting = std::exchange(slot.pending, {});
    call->running.start();
    call->startedNs = steadyClockNs();
    const Call *id = call.get();
    QObject *context = call->context.get();
    slot.call = std::move(call);
    // A copy: the slot's function may be replaced while this call runs.
    const Start start = slot.start;
    start(context, [this, key, id](const Result<QByteArray> &result, qint64 asOfNs) {
        finished(key, id, result, asOfNs);
    });
}

void ReadCoalescer::finished(const QString &key, const Call *id, const Result<QByteArray> &result,
                             qint64 asOfNs) {
    auto it = m_slots.find(key);
    if (it == m_slots.end())
        return;
    Slot &slot = it->second;
    if (slot.call.get() != id)
        return; // an abandoned call's late answer
    const std::unique_ptr<Call> call = std::move(slot.call);
    QList<QPointer<HttpExchange>> waiting = std::move(call->waiting);
    const qint64 startedNs = call->startedNs;
    // This runs inside a callback bound to the context: delete it later, not under our feet.
    call->context.release()->deleteLater();
    // An agent that just let a whole request timeout pass unanswered is not asked again for
    // those already waiting: they get the 504 now rather than a second full timeout later.
    if (!result.ok() && result.error().status == 504) {
        waiting += std::exchange(slot.pending, {});
    } else if (result.ok() && asOfNs >= startedNs && asOfNs <= steadyClockNs()) {
        // The reading was taken after these arrived: it is as fresh as a call of their own.
        // A moment outside the call's own span is not believed (a clock that is not ours, as
        // in another time namespace): those requests wait for a call of their own.
        while (!slot.pending.isEmpty() &&
               (!slot.pending.first() || slot.pending.first()->arrivedNs() < asOfNs))
            waiting.append(slot.pending.takeFirst());
    }
    if (!slot.pending.isEmpty())
        launchSoon(key, slot);
    else if (!slot.launchQueued)
        m_slots.erase(it);
    for (const QPointer<HttpExchange> &exchange : waiting) {
        if (exchange) // gone when the watchdog already answered it
            m_answer(exchange, result);
    }
}

} // namespace sm

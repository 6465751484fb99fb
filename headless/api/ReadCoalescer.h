#pragma once

#include "model/ApiError.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>
#include <unordered_map>

namespace sm {

class HttpExchange;

// Shares one backend read among identical GET requests, so that a burst of status polls costs
// the agent a few calls per round trip rather than one per client. Answers stay fresh: a
// request gets the answer of a call that started after it arrived, or of one whose reading
// the backend says was taken after it arrived (StatusJson::asOfNs, which the agent stamps
// before it reads anything). The requests that arrive in one pass of the event loop start one
// call together at the end of that pass; one call of a key runs at a time, and the requests
// that arrive while it runs share the next (or its answer, when its reading postdates them).
// A second call in flight would halve what each call answers under load, and cost the agent
// and this loop twice the calls, for a request waiting one round trip less. The JSON
// body is built once per call and handed to every request it answers. The one exception to
// freshness: when a call times out (504), the requests still waiting for a call share that
// answer.
class ReadCoalescer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReadCoalescer)
public:
    // asOfNs: the moment the answer stands for (steadyClockNs()), 0 when unknown.
    using Done = std::function<void(Result<QByteArray> result, qint64 asOfNs)>;
    // Starts the backend read; calls done once (dropped only if context is destroyed).
    using Start = std::function<void(QObject *context, Done done)>;
    // Hands one waiting exchange its answer.
    using Answer = std::function<void(HttpExchange *exchange, const Result<QByteArray> &result)>;

    // A call still running after abandonAfterMs, or whose requests are all answered (its answer
    // was lost; the watchdog has answered them), no longer holds back the next.
    ReadCoalescer(Answer answer, int abandonAfterMs, QObject *parent = nullptr);
    ~ReadCoalescer() override;

    void request(const QString &key, HttpExchange *exchange, Start start);

    // One coalesced read: fetch(context, done) asks the backend for a T, encode(T) makes the
    // body that every request of this call gets.
    template <typename T, typename Fetch, typename Encode>
    void read(const QString &key, HttpExchange *exchange, Fetch fetch, Encode encode) {
        request(key, exchange, [fetch, encode](QObject *context, Done done) {
            fetch(context, [done, encode](const Result<T> &result) {
                qint64 asOfNs = 0;
                if constexpr (requires(const T &value) { value.asOfNs; })
                    asOfNs = result.ok() ? result.value().asOfNs : 0;
                done(result.ok() ? Result<QByteArray>(encode(result.value()))
                                 : Result<QByteArray>(result.error()),
                     asOfNs);
            });
        });
    }

private:
    struct Call {
        std::unique_ptr<QObject> context; // deleting it drops the call's answer
        QList<QPointer<HttpExchange>> waiting;
        QElapsedTimer running;
        qint64 startedNs = 0; // steadyClockNs() when it started
    };
    struct Slot {
        std::unique_ptr<Call> call;            // in flight, if any
        QList<QPointer<HttpExchange>> pending; // arrived since the last call started
        Start start;
        bool launchQueued = false;
    };
    void dropAbandoned(Slot &slot);
    void launchSoon(const QString &key, Slot &slot);
    void launch(const QString &key);
    void finished(const QString &key, const Call *call, const Result<QByteArray> &result,
                  qint64 asOfNs);

    Answer m_answer;
    int m_abandonAfterMs;
    std::unordered_map<QString, Slot> m_slots; // Slot is move-only
};

} // namespace sm

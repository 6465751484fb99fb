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

// Shares one backend read among identical GET requests that arrive while it runs, so that a
// burst of status polls costs the agent one call per round trip rather than one per client.
// Answers stay fresh: a request never joins a call that started before it arrived; it waits
// for the next one, which starts as soon as the current call returns. The JSON body is built
// once per call and handed to every waiting request. The one exception to freshness: when a
// call times out (504), the requests waiting for the next call share that answer.
class ReadCoalescer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReadCoalescer)
public:
    using Done = std::function<void(Result<QByteArray>)>;
    // Starts the backend read; calls done once (dropped only if context is destroyed).
    using Start = std::function<void(QObject *context, Done done)>;
    // Hands one waiting exchange its answer.
    using Answer = std::function<void(HttpExchange *exchange, const Result<QByteArray> &result)>;

    // A call still running after abandonAfterMs (its answer was lost; the watchdog has answered
    // its requests) no longer holds back the next one.
    ReadCoalescer(Answer answer, int abandonAfterMs, QObject *parent = nullptr);
    ~ReadCoalescer() override;

    void request(const QString &key, HttpExchange *exchange, Start start);

    // One coalesced read: fetch(context, done) asks the backend for a T, encode(T) makes the
    // body that every request waiting for this call gets.
    template <typename T, typename Fetch, typename Encode>
    void read(const QString &key, HttpExchange *exchange, Fetch fetch, Encode encode) {
        request(key, exchange, [fetch, encode](QObject *context, Done done) {
            fetch(context, [done, encode](const Result<T> &result) {
                done(result.ok() ? Result<QByteArray>(encode(result.value()))
                                 : Result<QByteArray>(result.error()));
            });
        });
    }

private:
    struct Slot {
        std::unique_ptr<QObject> context; // the call under way; deleting it drops its answer
        QList<QPointer<HttpExchange>> current;
        QList<QPointer<HttpExchange>> next;
        Start start;
        QElapsedTimer running;
    };
    void launch(const QString &key, Slot &slot);
    void finished(const QString &key, const Result<QByteArray> &result);

    Answer m_answer;
    int m_abandonAfterMs;
    std::unordered_map<QString, Slot> m_slots; // Slot is move-only
};

} // namespace sm

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

// A backend result as a ready JSON body (toJsonFn applied), or its error.
template <typename T, typename ToJson>
Result<QByteArray> bodyOf(const Result<T> &result, ToJson toJsonFn) {
    if (result.ok())
        return Result<QByteArray>(toJsonFn(result.value()));
    return Result<QByteArray>(result.error());
}

} // namespace sm

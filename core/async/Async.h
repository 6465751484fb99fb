#pragma once

// The ground floor of core's asynchronous calls: what agents/, docker/ and backend/ all answer
// with. It includes nothing of core but model/, so no lower layer has to reach up for a typedef.

#include "model/ApiError.h"
#include "model/Types.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace sm {

// How every asynchronous call of core answers: once, with a value or the ApiError.
template <typename T> using Callback = std::function<void(Result<T>)>;

// A live stream of log lines (an agent's follow=true, or Docker's follow=1). Deleting it
// closes the upstream connection.
class LogStream : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void line(const QString &text);
    // Emitted once when the stream ends; error.status == 0 for a normal end.
    void finished(const sm::ApiError &error);
};

// A container's service states as its agent pushes them (the agent's GET /events): opened()
// once the agent accepted, then changed() for every new state (first one per service, the
// current state), removed() for a service that is gone, and finished() once at the end.
// Deleting it closes the upstream connection.
class ServiceFeed : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void opened();
    void changed(const sm::ServiceStatus &status);
    void removed(const QString &service);
    // error.status == 404: the agent has no /events (an older agent); poll it instead.
    void finished(const sm::ApiError &error);
};

// Runs fn through the event loop, so that a callback never runs inside the call that was
// given it; dropped if `context` (when given) is destroyed first.
void later(QObject *context, std::function<void()> fn);

// Answers `done` with `result` later (see later()).
template <typename T> void answerLater(QObject *context, Callback<T> done, Result<T> result) {
    later(context, [done = std::move(done), result = std::move(result)] { done(result); });
}

// A stream that only reports `error`, later. The caller owns it.
LogStream *failedStream(const ApiError &error);

// The countdown and context guard of Gather, kept out of the template.
class GatherSteps {
public:
    GatherSteps(QObject *context, int steps);

protected:
    // True for the call that ends the last step, and only while the context lives.
    bool finishStep();

private:
    QPointer<QObject> m_context;
    bool m_hadContext;
    int m_pending;
};

// Several calls in parallel that fill one value, then one completion with it. Each step's
// callback holds the shared Gather, fills its part of value() and calls stepDone() once; the
// last one delivers, only while `context` (when given) lives. With no steps at all it delivers
// later. A named type instead of a counter shared by lambdas (style.md, after KDE's KJob).
template <typename T> class Gather final : public GatherSteps {
public:
    using Done = std::function<void(T)>;

    static std::shared_ptr<Gather> start(QObject *context, int steps, T initial, Done done);

    Gather(QObject *context, int steps, T initial, Done done)
        : GatherSteps(context, steps)
        , m_value(std::move(initial))
        , m_done(std::move(done)) {}

    T &value() { return m_value; }
    void stepDone() {
        if (finishStep())
            m_done(std::move(m_value));
    }

private:
    T m_value;
    Done m_done;
};

template <typename T>
std::shared_ptr<Gather<T>> Gather<T>::start(QObject *context, int steps, T initial, Done done) {
    auto gather = std::make_shared<Gather>(context, steps, std::move(initial), std::move(done));
    if (steps <= 0)
        later(context, [gather] { gather->m_done(std::move(gather->m_value)); });
    return gather;
}

} // namespace sm

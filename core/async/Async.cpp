#include "async/Async.h"

#include <QCoreApplication>

namespace sm {

void later(QObject *context, std::function<void()> fn) {
    QObject *receiver = context ? context : QCoreApplication::instance();
    QMetaObject::invokeMethod(receiver, std::move(fn), Qt::QueuedConnection);
}

LogStream *failedStream(const ApiError &error) {
    auto *stream = new LogStream;
    QMetaObject::invokeMethod(
        stream, [stream, error] { Q_EMIT stream->finished(error); }, Qt::QueuedConnection);
    return stream;
}

GatherSteps::GatherSteps(QObject *context, int steps)
    : m_context(context)
    , m_hadContext(context != nullptr)
    , m_pending(steps) {}

bool GatherSteps::finishStep() {
    if (m_pending <= 0)
        return false; // a step reported twice: the completion has run already
    if (--m_pending > 0)
        return false;
    return !m_hadContext || m_context;
}

} // namespace sm

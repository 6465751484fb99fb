#include "HttpPoolParts.h"

#include <QCoreApplication>

#include <algorithm>

namespace sm {

namespace {

bool isSingleLine(const QByteArray &text) {
    for (const char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

// The request as bytes on the wire, or empty when a header would smuggle a line break.
QByteArray serialize(const HttpRequest &r) {
    if (!isSingleLine(r.method) || !isSingleLine(r.target) || r.method.contains(' ') ||
        r.target.contains(' '))
        return {};
    QByteArray out =
        r.method + ' ' + (r.target.isEmpty() ? QByteArray("/") : r.target) + " HTTP/1.1\r\n";
    bool hasHost = false;
    for (const auto &[name, value] : r.headers) {
        if (!isSingleLine(name) || !isSingleLine(value) || name.contains(':'))
            return {};
        hasHost = hasHost || name.compare("Host", Qt::CaseInsensitive) == 0;
        out += name + ": " + value + "\r\n";
    }
    if (!hasHost)
        out += "Host: localhost\r\n";
    if (!r.body.isEmpty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
        out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    out += "\r\n";
    out += r.body;
    return out;
}

} // namespace

HttpPool::HttpPool(QString socketPath, int maxConnections, QObject *parent)
    : QObject(parent)
    , m_socketPath(std::move(socketPath))
    , m_maxConnections(qMax(1, maxConnections)) {}

HttpPool::~HttpPool() {
    const HttpError cancelled{HttpError::Cancelled, QStringLiteral("client closed")};
    for (const JobPtr &job : std::exchange(m_queue, {}))
        fail(job, cancelled);
    const QList<Connection *> conns = m_connections;
    for (Connection *conn : conns) {
        const JobPtr job = std::exchange(conn->job, nullptr);
        moveTo(conn, ConnState::Closed);
        if (job)
            fail(job, cancelled);
    }
}

void HttpPool::send(const HttpRequest &request, QObject *context,
                    std::function<void(HttpResult)> done) {
    auto job = std::make_shared<Job>();
    job->request = request;
    job->receiver = context ? context : QCoreApplication::instance();
    job->done = std::move(done);
    enqueue(job);
}

void HttpPool::startStream(const HttpRequest &request, HttpStream *stream) {
    auto job = std::make_shared<Job>();
    job->request = request;
    job->isStream = true;
    job->stream = stream;
    // Deleting the stream closes its connection. Its QPointer is already null: nobody is told.
    connect(stream, &QObject::destroyed, this, [this, weak = std::weak_ptr<Job>(job)] {
        if (const JobPtr job = weak.lock())
            drop(job, HttpError{HttpError::Cancelled, QStringLiteral("stream deleted")});
    });
    enqueue(job);
}

void HttpPool::enqueue(const JobPtr &job) {
    job->wire = serialize(job->request);
    if (job->wire.isEmpty())
        return fail(job, {HttpError::Garbage, QStringLiteral("invalid request line or header")});
    if (job->isStream && int(m_connections.size()) - poolConnections() >= maxStreams) {
        return fail(job, {HttpError::Refused,
                          QStringLiteral("too many open streams to %1").arg(m_socketPath)});
    }
    if (!job->isStream && qsizetype(m_queue.size()) >= maxQueued) {
        return fail(job, {HttpError::Busy, QStringLiteral("%1 requests to %2 are already queued")
                                               .arg(maxQueued)
                                               .arg(m_socketPath)});
    }
    job->timer = new QTimer(this);
    job->timer->setSingleShot(true);
    connect(job->timer, &QTimer::timeout, this, [this, weak = std::weak_ptr<Job>(job)] {
        const JobPtr job = weak.lock();
        if (!job)
            return;
        drop(job, {HttpError::Timeout,
                   QStringLiteral("no answer within %1 ms").arg(job->request.timeoutMs)});
        pump();
    });
    job->timer->start(qMax(1, job->request.timeoutMs));
    if (job->isStream)
        return open(job); // streams live long: each has its own connection, outside the bound
    moveTo(*job, JobState::Queued);
    m_queue.push_back(job);
    pump();
}

int HttpPool::poolConnections() const {
    // A stream's connection closes when its job ends, so it always has its job.
    return int(std::count_if(m_connections.begin(), m_connections.end(),
                             [](const Connection *c) { return !c->job || !c->job->isStream; }));
}

void HttpPool::pump() {
    // Connecting may fail synchronously and land back here; the outer loop sees that state.
    if (m_pumping)
        return;
    m_pumping = true;
    pumpQueue();
    m_pumping = false;
}

void HttpPool::pumpQueue() {
    while (!m_queue.empty()) {
        const JobPtr job = m_queue.front();
        const auto it =
            std::find_if(m_connections.begin(), m_connections.end(),
                         [](const Connection *c) { return c->state == ConnState::Idle; });
        Connection *idle = it == m_connections.end() ? nullptr : *it;
        const bool full = poolConnections() >= m_maxConnections;
        if (full && !idle)
            return; // every connection is busy: wait for one
        m_queue.pop_front();
        if (idle && !job->retried) {
            give(idle, job);
            continue;
        }
        if (full)
            moveTo(idle, ConnState::Closed); // a retry wants a fresh connection: trade for one
        open(job);
    }
}

// Ends a job wherever it is. Its connection closes too: a late answer must not meet the next job.
void HttpPool::drop(const JobPtr &job, const HttpError &error) {
    if (job->state == JobState::Queued)
        m_queue.erase(std::find(m_queue.begin(), m_queue.end(), job));
    const auto it = std::find_if(m_connections.begin(), m_connections.end(),
                                 [&](const Connection *c) { return c->job == job; });
    if (it != m_connections.end()) {
        Connection *conn = *it;
        conn->job.reset();
        moveTo(conn, ConnState::Closed);
    }
    fail(job, error);
}

void HttpPool::setSocketPath(const QString &path) {
    if (path == m_socketPath)
        return;
    m_socketPath = path;
    // Idle connections lead to the old path; busy ones finish their exchange first.
    const QList<Connection *> conns = m_connections;
    for (Connection *conn : conns) {
        if (conn->state == ConnState::Idle)
            moveTo(conn, ConnState::Closed);
    }
}

// The one way a job fails, request or stream.
void HttpPool::fail(const JobPtr &job, const HttpError &error) {
    finish(job, {std::nullopt, error});
}

// The one way a job succeeds: its parser holds a complete response.
void HttpPool::succeed(const JobPtr &job) {
    ResponseParser &p = *job->parser;
    if (job->isStream)
        emitData(job, p.takeBody());
    finish(job, {HttpResponse{p.status(), p.headers(), p.body()}, {}});
}

// Answers always go out later, never inside send() or a socket signal of ours.
void HttpPool::finish(const JobPtr &job, HttpResult result) {
    if (job->state == JobState::Done)
        return; // a second ending finds nothing to do
    moveTo(*job, JobState::Done);
    if (job->isStream) {
        if (HttpStream *s = job->stream) {
            const std::optional<HttpError> error =
                result.ok() ? std::nullopt : std::optional(result.error);
            QMetaObject::invokeMethod(
                s, [s, error] { Q_EMIT s->finished(error); }, Qt::QueuedConnection);
        }
    } else if (job->done && job->receiver) {
        QMetaObject::invokeMethod(
            job->receiver.data(),
            [done = std::move(job->done), result = std::move(result)] { done(result); },
            Qt::QueuedConnection);
    }
}

void HttpPool::emitData(const JobPtr &job, const QByteArray &bytes) {
    if (HttpStream *s = job->stream; s && !bytes.isEmpty())
        QMetaObject::invokeMethod(
            s, [s, bytes] { Q_EMIT s->data(bytes); }, Qt::QueuedConnection);
}

void HttpPool::moveTo(Job &job, JobState next) {
    using S = JobState;
    const S from = job.state;
    Q_ASSERT((next == S::Queued && (from == S::New || from == S::Assigned)) ||
             (next == S::Assigned && (from == S::New || from == S::Queued)) ||
             (next == S::Streaming && from == S::Assigned) || (next == S::Done && from != S::Done));
    job.state = next;
    // A stream's deadline covers only its headers; a finished job has none.
    if (job.timer && (next == S::Streaming || next == S::Done))
        job.timer->stop();
    if (job.timer && next == S::Done)
        std::exchange(job.timer, nullptr)->deleteLater();
}

} // namespace sm

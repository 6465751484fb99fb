#include "HttpPoolParts.h"

#include <QCoreApplication>

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
    cancelAll();
}

void HttpPool::send(const HttpRequest &request, QObject *context,
                    std::function<void(HttpResult)> done) {
    auto job = std::make_shared<Job>();
    job->request = request;
    job->hasContext = context != nullptr;
    job->context = context;
    job->done = std::move(done);
    enqueue(job);
}

void HttpPool::startStream(const HttpRequest &request, HttpStream *stream) {
    auto job = std::make_shared<Job>();
    job->request = request;
    job->isStream = true;
    job->stream = stream;
    // Deleting the stream closes its connection.
    connect(stream, &QObject::destroyed, this, [this, weak = std::weak_ptr<Job>(job)] {
        if (auto job = weak.lock())
            cancelStream(job);
    });
    enqueue(job);
}

void HttpPool::enqueue(const JobPtr &job) {
    job->wire = serialize(job->request);
    if (job->wire.isEmpty()) {
        const HttpError e =
            httpError(HttpError::Garbage, QStringLiteral("invalid request line or header"));
        return job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
    }
    if (job->isStream && streamConnections() >= maxStreams) {
        return finishStream(
            job, httpError(HttpError::Refused,
                           QStringLiteral("too many open streams to %1").arg(m_socketPath)));
    }
    if (!job->isStream && qsizetype(m_queue.size()) >= maxQueued) {
        return finishJob(
            job, {std::nullopt,
                  httpError(HttpError::Busy, QStringLiteral("%1 requests to %2 are already queued")
                                                 .arg(maxQueued)
                                                 .arg(m_socketPath))});
    }
    job->timer = new QTimer(this);
    job->timer->setSingleShot(true);
    connect(job->timer, &QTimer::timeout, this, [this, weak = std::weak_ptr<Job>(job)] {
        if (auto job = weak.lock())
            onTimeout(job);
    });
    job->timer->start(qMax(1, job->request.timeoutMs));
    if (job->isStream) {
        // Streams live long, so each gets its own connection outside the pool's bound.
        assign(openConnection(true), job);
        return;
    }
    m_queue.push_back(job);
    pump();
}

int HttpPool::poolConnections() const {
    int n = 0;
    for (const Connection *c : m_connections)
        n += c->forStream ? 0 : 1;
    return n;
}

int HttpPool::streamConnections() const {
    return int(m_connections.size()) - poolConnections();
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
        Connection *target = nullptr;
        Connection *idle = nullptr;
        for (Connection *c : std::as_const(m_connections)) {
            if (!c->forStream && !c->dead && !c->closing && !c->job) {
                idle = c;
                break;
            }
        }
        if (idle && !job->needFresh) {
            target = idle;
        } else if (poolConnections() < m_maxConnections) {
            target = openConnection(false);
        } else if (idle) {
            // A retry wants a fresh connection: trade an idle one for it.
            closeConnection(idle);
            target = openConnection(false);
        } else {
            return; // every connection is busy: wait for one
        }
        m_queue.pop_front();
        assign(target, job);
    }
}

void HttpPool::onTimeout(const JobPtr &job) {
    if (job->finished)
        return;
    const auto it = std::find(m_queue.begin(), m_queue.end(), job);
    if (it != m_queue.end())
        m_queue.erase(it);
    if (Connection *conn = job->conn) {
        // Never reuse a connection whose answer may still arrive.
        conn->job.reset();
        closeConnection(conn);
    }
    const HttpError e = httpError(
        HttpError::Timeout, QStringLiteral("no answer within %1 ms").arg(job->request.timeoutMs));
    job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
    pump();
}

void HttpPool::cancelStream(const JobPtr &job) {
    if (Connection *conn = job->conn) {
        conn->job.reset();
        closeConnection(conn);
    }
    job->finished = true;
    job->conn = nullptr;
    if (job->timer)
        job->timer->deleteLater();
    job->timer = nullptr;
}

void HttpPool::finishJob(const JobPtr &job, HttpResult result) {
    if (job->finished)
        return;
    job->finished = true;
    job->conn = nullptr;
    if (job->timer) {
        job->timer->stop();
        job->timer->deleteLater();
        job->timer = nullptr;
    }
    if (!job->done)
        return;
    QObject *receiver = job->hasContext ? job->context.data() : QCoreApplication::instance();
    if (!receiver)
        return; // the context is gone: nobody to answer
    // Always later, never inside send() or a socket signal of ours.
    QMetaObject::invokeMethod(
        receiver, [done = std::move(job->done), result = std::move(result)] { done(result); },
        Qt::QueuedConnection);
    job->done = nullptr;
}

void HttpPool::finishStream(const JobPtr &job, std::optional<HttpError> error) {
    if (job->finished)
        return;
    job->finished = true;
    job->conn = nullptr;
    if (job->timer) {
        job->timer->stop();
        job->timer->deleteLater();
        job->timer = nullptr;
    }
    if (HttpStream *s = job->stream) {
        QMetaObject::invokeMethod(
            s, [s, error] { Q_EMIT s->finished(error); }, Qt::QueuedConnection);
    }
}

void HttpPool::emitHeaders(const JobPtr &job, const ResponseParser &parser) {
    if (HttpStream *s = job->stream) {
        QMetaObject::invokeMethod(
            s,
            [s, status = parser.status(), headers = parser.headers()] {
                Q_EMIT s->headersReceived(status, headers);
            },
            Qt::QueuedConnection);
    }
}

void HttpPool::emitData(const JobPtr &job, const QByteArray &bytes) {
    if (HttpStream *s = job->stream)
        QMetaObject::invokeMethod(
            s, [s, bytes] { Q_EMIT s->data(bytes); }, Qt::QueuedConnection);
}

void HttpPool::cancelAll() {
    const auto cancelled = httpError(HttpError::Cancelled, QStringLiteral("client closed"));
    std::deque<JobPtr> queued = std::exchange(m_queue, {});
    for (const JobPtr &job : queued)
        finishJob(job, {std::nullopt, cancelled});
    const QList<Connection *> conns = m_connections;
    for (Connection *conn : conns) {
        const JobPtr job = std::exchange(conn->job, nullptr);
        closeConnection(conn);
        if (job)
            job->isStream ? finishStream(job, cancelled)
                          : finishJob(job, {std::nullopt, cancelled});
    }
}

void HttpPool::setSocketPath(const QString &path) {
    if (path == m_socketPath)
        return;
    m_socketPath = path;
    // Idle connections lead to the old path; busy ones finish their exchange first.
    const QList<Connection *> conns = m_connections;
    for (Connection *conn : conns) {
        if (!conn->job)
            closeConnection(conn);
    }
}

} // namespace sm

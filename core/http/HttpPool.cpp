#include "HttpPool.h"

#include <QCoreApplication>

namespace sm {

struct HttpPool::Job {
    HttpRequest request;
    QByteArray wire;
    bool hasContext = false;
    QPointer<QObject> context;
    std::function<void(HttpResult)> done;
    bool isStream = false;
    QPointer<HttpStream> stream;
    QTimer *timer = nullptr;
    Connection *conn = nullptr;
    bool retried = false;
    bool needFresh = false;
    bool finished = false;
};

// One socket. A QObject so that lambdas connected to its socket die with it.
struct HttpPool::Connection final : QObject {
    QLocalSocket *socket = new QLocalSocket(this);
    std::unique_ptr<ResponseParser> parser;
    JobPtr job;
    bool forStream = false;
    bool connected = false;
    bool reused = false;
    bool dead = false;
    bool closing = false; // the peer is gone; finish reading, never reuse
    bool headersEmitted = false;
    QLocalSocket::LocalSocketError lastError = QLocalSocket::UnknownSocketError;
};

namespace {

bool isToken(const QByteArray &text) {
    for (const char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

// The request as bytes on the wire, or empty when a header would smuggle a line break.
QByteArray serialize(const HttpRequest &r) {
    if (!isToken(r.method) || !isToken(r.target) || r.method.contains(' ') ||
        r.target.contains(' '))
        return {};
    QByteArray out =
        r.method + ' ' + (r.target.isEmpty() ? QByteArray("/") : r.target) + " HTTP/1.1\r\n";
    bool hasHost = false;
    for (const auto &[name, value] : r.headers) {
        if (!isToken(name) || !isToken(value) || name.contains(':'))
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

HttpError error(HttpError::Kind kind, QString message) {
    return HttpError{kind, std::move(message)};
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
            error(HttpError::Garbage, QStringLiteral("invalid request line or header"));
        return job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
    }
    if (job->isStream && streamConnections() >= maxStreams) {
        return finishStream(job,
                            error(HttpError::Refused,
                                  QStringLiteral("too many open streams to %1").arg(m_socketPath)));
    }
    if (!job->isStream && qsizetype(m_queue.size()) >= maxQueued) {
        return finishJob(
            job, {std::nullopt,
                  error(HttpError::Refused,
                        QStringLiteral("too many queued requests to %1").arg(m_socketPath))});
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

HttpPool::Connection *HttpPool::openConnection(bool forStream) {
    auto *conn = new Connection;
    conn->setParent(this);
    conn->forStream = forStream;
    m_connections.append(conn);
    QLocalSocket *s = conn->socket;
    connect(s, &QLocalSocket::connected, conn, [this, conn] { onConnected(conn); });
    connect(s, &QLocalSocket::readyRead, conn, [this, conn] { onReadyRead(conn); });
    connect(s, &QLocalSocket::errorOccurred, conn,
            [this, conn](QLocalSocket::LocalSocketError e) { onLost(conn, e); });
    connect(s, &QLocalSocket::disconnected, conn,
            [this, conn] { onLost(conn, QLocalSocket::PeerClosedError); });
    // errorOccurred may fire right inside connectToServer(); the handlers above cope, and
    // every answer is delivered through the event loop anyway.
    s->connectToServer(m_socketPath);
    return conn;
}

void HttpPool::assign(Connection *conn, const JobPtr &job) {
    if (conn->dead) {
        // The connection failed synchronously; its failure is the job's answer.
        failConnect(job, conn->lastError);
        return;
    }
    conn->job = job;
    job->conn = conn;
    conn->headersEmitted = false;
    conn->parser = std::make_unique<ResponseParser>(job->isStream ? -1 : job->request.maxBodyBytes,
                                                    job->request.method == "HEAD");
    if (conn->connected)
        writeRequest(conn);
}

void HttpPool::writeRequest(Connection *conn) {
    conn->socket->write(conn->job->wire);
}

void HttpPool::onConnected(Connection *conn) {
    if (conn->dead)
        return;
    conn->connected = true;
    if (conn->job)
        writeRequest(conn);
}

void HttpPool::onReadyRead(Connection *conn) {
    if (conn->dead)
        return;
    const QByteArray bytes = conn->socket->readAll();
    if (!conn->job) {
        // Bytes nobody asked for: this connection is out of step, drop it.
        closeConnection(conn);
        return;
    }
    process(conn, bytes);
}

void HttpPool::process(Connection *conn, const QByteArray &bytes) {
    const JobPtr job = conn->job;
    const auto outcome = conn->parser->feed(bytes);
    if (job->isStream) {
        if (conn->parser->headersComplete() && !conn->headersEmitted) {
            conn->headersEmitted = true;
            if (job->timer)
                job->timer->stop(); // a stream's deadline covers only its headers
            emitHeaders(job, *conn->parser);
        }
        const QByteArray body = conn->parser->takeBody();
        if (!body.isEmpty())
            emitData(job, body);
    }
    if (outcome == ResponseParser::Outcome::Complete) {
        completeResponse(conn);
    } else if (outcome == ResponseParser::Outcome::Error) {
        const HttpError e =
            error(conn->parser->tooLarge() ? HttpError::TooLarge : HttpError::Garbage,
                  conn->parser->errorString());
        conn->job.reset();
        closeConnection(conn);
        job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
        pump();
    }
}

void HttpPool::completeResponse(Connection *conn) {
    const JobPtr job = std::exchange(conn->job, nullptr);
    const ResponseParser &p = *conn->parser;
    if (job->isStream) {
        closeConnection(conn);
        finishStream(job, std::nullopt);
        return;
    }
    HttpResponse response;
    response.status = p.status();
    response.headers = p.headers();
    response.body = p.body();
    const bool reusable = p.keepAlive() && p.trailingBytes() == 0 && !conn->closing;
    if (reusable) {
        conn->reused = true;
        conn->parser.reset();
    } else {
        closeConnection(conn);
    }
    finishJob(job, {std::move(response), {}});
    pump();
}

void HttpPool::onLost(Connection *conn, QLocalSocket::LocalSocketError socketError) {
    if (conn->dead)
        return;
    conn->closing = true;
    conn->lastError = socketError;
    // Whatever arrived before the close still counts.
    const QByteArray rest = conn->socket->isOpen() ? conn->socket->readAll() : QByteArray();
    if (conn->job && !rest.isEmpty()) {
        process(conn, rest);
        if (conn->dead)
            return;
    }
    const JobPtr job = std::exchange(conn->job, nullptr);
    const bool wasConnected = conn->connected;
    const bool reused = conn->reused;
    std::unique_ptr<ResponseParser> parser = std::move(conn->parser);
    closeConnection(conn);
    if (!job) {
        if (wasConnected)
            pump(); // an idle connection closed by the peer
        return;
    }
    job->conn = nullptr;
    if (!wasConnected) {
        failConnect(job, socketError);
    } else if (parser && !parser->anyBytes() && reused && !job->retried && !job->isStream) {
        // A kept-alive connection the peer had already closed: once more on a fresh one.
        job->retried = true;
        job->needFresh = true;
        m_queue.push_front(job);
    } else if (parser && parser->finish() == ResponseParser::Outcome::Complete) {
        if (job->isStream) {
            const QByteArray body = parser->takeBody();
            if (!body.isEmpty())
                emitData(job, body);
            finishStream(job, std::nullopt);
        } else {
            finishJob(job, {HttpResponse{parser->status(), parser->headers(), parser->body()}, {}});
        }
    } else {
        const HttpError e = error(HttpError::Reset, parser ? parser->errorString()
                                                           : QStringLiteral("connection closed"));
        job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
    }
    pump();
}

void HttpPool::failConnect(const JobPtr &job, QLocalSocket::LocalSocketError socketError) {
    HttpError e;
    switch (socketError) {
    case QLocalSocket::ServerNotFoundError:
        e = error(HttpError::SocketMissing, QStringLiteral("no socket at %1").arg(m_socketPath));
        break;
    case QLocalSocket::ConnectionRefusedError:
        e = error(HttpError::Refused, QStringLiteral("connection refused"));
        break;
    case QLocalSocket::SocketAccessError:
        e = error(HttpError::Refused, QStringLiteral("permission denied on %1").arg(m_socketPath));
        break;
    default:
        e = error(HttpError::Refused, QStringLiteral("cannot connect to %1").arg(m_socketPath));
    }
    job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
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
    const HttpError e = error(HttpError::Timeout,
                              QStringLiteral("no answer within %1 ms").arg(job->request.timeoutMs));
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

void HttpPool::closeConnection(Connection *conn) {
    if (conn->dead)
        return;
    conn->dead = true;
    m_connections.removeOne(conn);
    if (conn->job)
        conn->job->conn = nullptr;
    // Disconnect first so abort() cannot re-enter onLost.
    conn->socket->disconnect(conn);
    conn->socket->abort();
    conn->deleteLater();
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
    const auto cancelled = error(HttpError::Cancelled, QStringLiteral("client closed"));
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

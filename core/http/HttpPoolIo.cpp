// HttpPool's socket side: connecting, reading, parsing, and the ways a connection ends.
#include "HttpPoolParts.h"

namespace sm {

void HttpPool::open(const JobPtr &job) {
    auto *conn = new Connection;
    conn->setParent(this);
    m_connections.append(conn);
    give(conn, job);
    QLocalSocket *s = conn->socket;
    connect(s, &QLocalSocket::connected, conn, [this, conn] { moveTo(conn, ConnState::Busy); });
    connect(s, &QLocalSocket::readyRead, conn, [this, conn] { onReadyRead(conn); });
    connect(s, &QLocalSocket::errorOccurred, conn,
            [this, conn](QLocalSocket::LocalSocketError e) { onLost(conn, e); });
    connect(s, &QLocalSocket::disconnected, conn,
            [this, conn] { onLost(conn, QLocalSocket::PeerClosedError); });
    // Any of these may fire right inside connectToServer(); the handlers above cope, and
    // every answer is delivered through the event loop anyway.
    s->connectToServer(m_socketPath);
}

// The job's request goes out now on an idle connection, or once a new one connects.
void HttpPool::give(Connection *conn, const JobPtr &job) {
    conn->job = job;
    job->parser = std::make_unique<ResponseParser>(job->isStream ? -1 : job->request.maxBodyBytes,
                                                   job->request.method == "HEAD");
    moveTo(*job, JobState::Assigned);
    if (conn->state == ConnState::Idle)
        moveTo(conn, ConnState::Busy);
}

void HttpPool::onReadyRead(Connection *conn) {
    const QByteArray bytes = conn->socket->readAll();
    if (!conn->job) {
        // Bytes nobody asked for: this connection is out of step, drop it.
        moveTo(conn, ConnState::Closed);
        return;
    }
    process(conn, bytes);
}

void HttpPool::process(Connection *conn, const QByteArray &bytes) {
    const JobPtr job = conn->job;
    ResponseParser &p = *job->parser;
    const auto outcome = p.feed(bytes);
    if (job->isStream) {
        if (p.headersComplete() && job->state == JobState::Assigned) {
            moveTo(*job, JobState::Streaming);
            if (HttpStream *s = job->stream) {
                QMetaObject::invokeMethod(
                    s,
                    [s, status = p.status(), headers = p.headers()] {
                        Q_EMIT s->headersReceived(status, headers);
                    },
                    Qt::QueuedConnection);
            }
        }
        emitData(job, p.takeBody());
    }
    if (outcome == ResponseParser::Outcome::Complete) {
        completeResponse(conn);
    } else if (outcome == ResponseParser::Outcome::Error) {
        conn->job.reset();
        moveTo(conn, ConnState::Closed);
        fail(job, {p.tooLarge() ? HttpError::TooLarge : HttpError::Garbage, p.errorString()});
        pump();
    }
}

void HttpPool::completeResponse(Connection *conn) {
    const JobPtr job = std::exchange(conn->job, nullptr);
    const ResponseParser &p = *job->parser;
    ++conn->answers;
    // A stream's connection ends with it; a Closing one is never reused.
    const bool reusable =
        !job->isStream && conn->state == ConnState::Busy && p.keepAlive() && p.trailingBytes() == 0;
    moveTo(conn, reusable ? ConnState::Idle : ConnState::Closed);
    succeed(job);
    pump();
}

void HttpPool::onLost(Connection *conn, QLocalSocket::LocalSocketError socketError) {
    const bool wasConnected = conn->state != ConnState::Connecting;
    moveTo(conn, ConnState::Closing);
    // Whatever arrived before the close still counts.
    const QByteArray rest = conn->socket->isOpen() ? conn->socket->readAll() : QByteArray();
    if (conn->job && !rest.isEmpty()) {
        process(conn, rest);
        if (conn->state == ConnState::Closed)
            return;
    }
    const JobPtr job = std::exchange(conn->job, nullptr);
    const bool kept = conn->answers > 0;
    moveTo(conn, ConnState::Closed);
    if (!job) {
        if (wasConnected)
            pump(); // an idle connection closed by the peer
        return;
    }
    if (!wasConnected) {
        fail(job, connectError(socketError));
    } else if (kept && !job->parser->anyBytes() && !job->retried) {
        // A kept-alive connection the peer had already closed: once more on a fresh one.
        job->retried = true;
        moveTo(*job, JobState::Queued);
        m_queue.push_front(job);
    } else if (job->parser->finish() == ResponseParser::Outcome::Complete) {
        succeed(job);
    } else {
        fail(job, {HttpError::Reset, job->parser->errorString()});
    }
    pump();
}

HttpError HttpPool::connectError(QLocalSocket::LocalSocketError socketError) const {
    switch (socketError) {
    case QLocalSocket::ServerNotFoundError:
        return {HttpError::SocketMissing, QStringLiteral("no socket at %1").arg(m_socketPath)};
    case QLocalSocket::ConnectionRefusedError:
        return {HttpError::Refused, QStringLiteral("connection refused")};
    case QLocalSocket::SocketAccessError:
        return {HttpError::Refused, QStringLiteral("permission denied on %1").arg(m_socketPath)};
    default:
        return {HttpError::Refused, QStringLiteral("cannot connect to %1").arg(m_socketPath)};
    }
}

void HttpPool::moveTo(Connection *conn, ConnState next) {
    using S = ConnState;
    const S from = conn->state;
    if (from == S::Closed)
        return; // final: a late signal or a second close finds nothing to do
    Q_ASSERT((next == S::Busy && (from == S::Connecting || from == S::Idle)) ||
             (next == S::Idle && from == S::Busy) || (next == S::Closing && from != S::Closing) ||
             next == S::Closed);
    conn->state = next;
    if (next == S::Busy) {
        conn->socket->write(conn->job->wire);
        // Out now, not at the loop's next pass. A failure lands in onLost right here, which
        // copes as it does inside connectToServer().
        conn->socket->flush();
    } else if (next == S::Closed) {
        m_connections.removeOne(conn);
        // Disconnect first so abort() cannot re-enter onLost.
        conn->socket->disconnect(conn);
        conn->socket->abort();
        conn->deleteLater();
    }
}

} // namespace sm

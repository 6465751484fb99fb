// HttpPool's socket side: connecting, reading, parsing, and the ways a connection ends.
#include "HttpPoolParts.h"

namespace sm {

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
            httpError(conn->parser->tooLarge() ? HttpError::TooLarge : HttpError::Garbage,
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
        const HttpError e = httpError(
            HttpError::Reset, parser ? parser->errorString() : QStringLiteral("connection closed"));
        job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
    }
    pump();
}

void HttpPool::failConnect(const JobPtr &job, QLocalSocket::LocalSocketError socketError) {
    HttpError e;
    switch (socketError) {
    case QLocalSocket::ServerNotFoundError:
        e = httpError(HttpError::SocketMissing,
                      QStringLiteral("no socket at %1").arg(m_socketPath));
        break;
    case QLocalSocket::ConnectionRefusedError:
        e = httpError(HttpError::Refused, QStringLiteral("connection refused"));
        break;
    case QLocalSocket::SocketAccessError:
        e = httpError(HttpError::Refused,
                      QStringLiteral("permission denied on %1").arg(m_socketPath));
        break;
    default:
        e = httpError(HttpError::Refused, QStringLiteral("cannot connect to %1").arg(m_socketPath));
    }
    job->isStream ? finishStream(job, e) : finishJob(job, {std::nullopt, e});
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

} // namespace sm

#pragma once

// The pool's internal records, shared by HttpPool.cpp (queue, deadlines, answers) and
// HttpPoolIo.cpp (socket events). Internal to core/http.

#include "HttpPool.h"

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

// The usual way to build an HttpError.
inline HttpError httpError(HttpError::Kind kind, QString message) {
    return HttpError{kind, std::move(message)};
}

} // namespace sm

#pragma once

// The pool's internal records, shared by HttpPool.cpp (queue, deadlines, answers) and
// HttpPoolIo.cpp (socket events). Internal to core/http.

#include "HttpPool.h"
#include "ResponseParser.h"

#include <QPointer>
#include <QTimer>

namespace sm {

struct HttpPool::Job {
    JobState state = JobState::New;
    HttpRequest request;
    QByteArray wire;
    bool isStream = false;      // answered through `stream`, else through `done`
    QPointer<QObject> receiver; // runs `done`; once it is gone, nobody is answered
    std::function<void(HttpResult)> done;
    QPointer<HttpStream> stream;
    QTimer *timer = nullptr;
    std::unique_ptr<ResponseParser> parser; // for the current attempt
    bool retried = false;                   // a retry goes to a fresh connection, and only once
};

// One socket. A QObject so that lambdas connected to its socket die with it.
struct HttpPool::Connection final : QObject {
    ConnState state = ConnState::Connecting;
    QLocalSocket *socket = new QLocalSocket(this);
    JobPtr job;      // while Connecting or Busy (perhaps Closing); a stream's never leaves
    int answers = 0; // answers it carried: a peer may have closed a kept-alive connection
};

} // namespace sm

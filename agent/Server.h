#pragma once

#include "Api.h"
#include "EventLoop.h"
#include "RequestParser.h"
#include "Stream.h"

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace agent {

// The Unix-socket HTTP/1.1 server: keep-alive, pipelining (answers in order),
// bounded buffers, a connection cap and an idle timeout. One slow or silent
// client only ever holds its own connection: every socket is non-blocking and
// nothing waits for a peer. Nothing runs on a clock either: the only timer is
// the next idle deadline, armed while some connection has one.
class Server final {
public:
    struct Limits {
        size_t maxConnections = 64;
        int idleTimeoutSeconds = 60;
    };

    Server(EventLoop &loop, Api &api, Limits limits);
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Creates the parent directory, replaces a stale socket file (but not a
    // live one), binds with mode `mode`. Returns false with `error` set.
    bool listen(const std::string &path, unsigned mode, std::string &error);

    size_t connectionCount() const { return m_connections.size(); }

private:
    using Clock = std::chrono::steady_clock;
    struct Connection {
        uint64_t id = 0;
        int fd = -1;
        RequestParser parser;
        std::string in;
        std::string out;
        size_t outPos = 0;
        bool busy = false;           // a request is being answered
        bool keepAlive = true;       // of the request being answered
        bool noMoreRequests = false; // Connection: close, a parse error, or a stream
        bool eof = false;
        bool closeWhenFlushed = false;
        std::shared_ptr<Stream> stream; // a streamed answer: no more requests
        bool pumpPosted = false;
        Clock::time_point lastActivity;
        uint32_t interest = 0;
    };

    void onAccept();
    void onEvent(uint64_t id, uint32_t events);
    void readInput(Connection &c);
    void parseBuffered(Connection &c);
    void processNext(uint64_t id);
    void deliver(uint64_t id, Response response);
    bool flush(Connection &c); // false when the connection was closed
    void updateInterest(Connection &c);
    void closeConnection(uint64_t id);
    void rejectBusy(int fd);
    void wakeStream(uint64_t id);
    void pumpStream(uint64_t id);
    // Idle connections: one timer at the earliest deadline, none when no
    // connection can time out (streams waiting for news cannot).
    void scheduleSweep();
    void sweep();
    bool waitsOnUs(const Connection &c) const;

    EventLoop &m_loop;
    Api &m_api;
    Limits m_limits;
    int m_listenFd = -1;
    std::string m_socketPath;
    dev_t m_socketDev = 0;
    ino_t m_socketIno = 0;
    uint64_t m_nextId = 1;
    std::map<uint64_t, std::unique_ptr<Connection>> m_connections;
    bool m_sweepArmed = false;
};

} // namespace agent

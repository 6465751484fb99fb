#include "Server.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace agent {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxBufferedInput = 64 * 1024; // stop reading past this
constexpr size_t kMaxPipelined = 16;            // parsed requests waiting per connection
constexpr size_t kMaxPendingOutput = 1024 * 1024;
constexpr size_t kFollowChunk = 256 * 1024;

bool mkdirs(const std::string &dir) {
    if (dir.empty())
        return true;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0)
        return S_ISDIR(st.st_mode);
    const size_t slash = dir.rfind('/');
    if (slash != std::string::npos && slash > 0 && !mkdirs(dir.substr(0, slash)))
        return false;
    return ::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST;
}

} // namespace

Server::Server(EventLoop &loop, Api &api, Limits limits)
    : m_loop(loop)
    , m_api(api)
    , m_limits(limits) {}

Server::~Server() {
    while (!m_connections.empty())
        closeConnection(m_connections.begin()->first);
    if (m_listenFd >= 0) {
        m_loop.remove(m_listenFd);
        ::close(m_listenFd);
        // Remove the socket file only if it is still ours.
        struct stat st {};
        if (::lstat(m_socketPath.c_str(), &st) == 0 && st.st_dev == m_socketDev &&
            st.st_ino == m_socketIno)
            ::unlink(m_socketPath.c_str());
    }
}

bool Server::listen(const std::string &path, unsigned mode, std::string &error) {
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
        error = "socket path is empty or longer than " + std::to_string(sizeof(addr.sun_path) - 1) +
                " bytes: " + path;
        return false;
    }
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos && !mkdirs(path.substr(0, slash))) {
        error = "cannot create the directory of " + path + ": " + std::strerror(errno);
        return false;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size());

    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            error = path + " exists and is not a socket";
            return false;
        }
        const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const bool live =
            probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
        if (probe >= 0)
            ::close(probe);
        if (live) {
            error = "another process is already listening on " + path;
            return false;
        }
        ::unlink(path.c_str()); // stale socket from an earlier run
    }

    m_listenFd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_listenFd < 0 ||
        ::bind(m_listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::chmod(path.c_str(), mode) != 0 || ::listen(m_listenFd, 128) != 0) {
        error = "cannot listen on " + path + ": " + std::strerror(errno);
        return false;
    }
    m_socketPath = path;
    if (::lstat(path.c_str(), &st) == 0) {
        m_socketDev = st.st_dev;
        m_socketIno = st.st_ino;
    }
    m_loop.add(m_listenFd, EPOLLIN, [this](uint32_t) { onAccept(); });
    return true;
}

void Server::rejectBusy(int fd) {
    static const std::string reply =
        serializeResponse(errorResponse(503, "Too many connections to the agent."), false);
    // Best effort on a fresh socket with an empty buffer: never blocks.
    [[maybe_unused]] const ssize_t n =
        ::send(fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::close(fd);
}

void Server::onAccept() {
    for (;;) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; // EAGAIN, or a transient error: the next readiness retries
        if (m_connections.size() >= m_limits.maxConnections) {
            rejectBusy(fd);
            continue;
        }
        auto c = std::make_unique<Connection>();
        c->id = m_nextId++;
        c->fd = fd;
        c->lastActivity = Clock::now();
        const uint64_t id = c->id;
        c->interest = EPOLLIN | EPOLLRDHUP;
        if (!m_loop.add(fd, c->interest, [this, id](uint32_t ev) { onEvent(id, ev); })) {
            ::close(fd);
            continue;
        }
        m_connections.emplace(id, std::move(c));
        scheduleSweep();
    }
}

void Server::onEvent(uint64_t id, uint32_t events) {
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return;
    Connection &c = *it->second;
    if (events & (EPOLLERR | EPOLLHUP)) {
        closeConnection(id);
        return;
    }
    if ((events & EPOLLOUT) && !flush(c))
        return;
    if ((events & EPOLLOUT) && c.stream && c.out.size() - c.outPos < kFollowChunk)
        wakeStream(id); // room again: more of the stream
    if (events & (EPOLLIN | EPOLLRDHUP))
        readInput(c);
}

void Server::readInput(Connection &c) {
    const uint64_t id = c.id;
    char buffer[kReadChunk];
    while (!c.eof && c.in.size() < kMaxBufferedInput) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            c.lastActivity = Clock::now();
            if (!c.noMoreRequests)
                c.in.append(buffer, static_cast<size_t>(n));
            // A short read took all there was: epoll is level-triggered and reports the rest,
            // or the end, when it comes. Asking again now would only return EAGAIN.
            if (static_cast<size_t>(n) < sizeof buffer)
                break;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        c.eof = true; // orderly shutdown or a reset
    }
    if (c.eof && c.stream) {
        closeConnection(id); // a follower or subscriber that left
        return;
    }
    parseBuffered(c);
    processNext(id);
}

void Server::parseBuffered(Connection &c) {
    if (c.noMoreRequests || c.in.empty())
        return;
    const size_t used = c.parser.feed(c.in.data(), c.in.size(), kMaxPipelined);
    c.in.erase(0, used);
    if (c.parser.failed())
        c.in.clear();
}

void Server::processNext(uint64_t id) {
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return;
    Connection &c = *it->second;
    if (!c.busy && !c.stream && c.out.size() - c.outPos < kMaxPendingOutput) {
        if (c.parser.hasRequest()) {
            Request request = c.parser.takeRequest();
            c.busy = true;
            c.keepAlive = request.keepAlive;
            if (!request.keepAlive) {
                // The last answer on this connection: pipelined requests after it are dropped.
                c.noMoreRequests = true;
                c.in.clear();
                while (c.parser.hasRequest())
                    c.parser.takeRequest();
            }
            parseBuffered(c); // room in the queue again
            m_api.handle(request, [this, id](Response r) { deliver(id, std::move(r)); });
            return; // deliver() comes back here
        }
        if (c.parser.failed() && !c.noMoreRequests) {
            c.noMoreRequests = true;
            c.busy = true;
            Response r = errorResponse(c.parser.errorStatus(), c.parser.errorText());
            r.close = true;
            return deliver(id, std::move(r));
        }
        if (c.parser.wantsContinue()) {
            c.out += "HTTP/1.1 100 Continue\r\n\r\n";
            c.parser.continueSent();
        }
    }
    if (!c.busy && !c.stream && c.eof && !c.parser.hasRequest())
        c.closeWhenFlushed = true;
    if (flush(c))
        updateInterest(c);
}

void Server::deliver(uint64_t id, Response response) {
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return; // the client left; the answer goes nowhere
    Connection &c = *it->second;
    c.busy = false;
    c.lastActivity = Clock::now();
    if (response.close || !c.keepAlive)
        c.noMoreRequests = true;
    c.out += serializeResponse(response, c.keepAlive && !c.noMoreRequests);
    std::shared_ptr<Stream> stream = response.stream;
    if (stream) {
        c.stream = stream;
        c.noMoreRequests = true;
        c.in.clear();
    } else if (c.noMoreRequests) {
        c.closeWhenFlushed = true;
    }
    if (!flush(c))
        return;
    updateInterest(c);
    if (stream) {
        stream->start([this, id] { wakeStream(id); });
        return;
    }
    m_loop.post([this, id] { processNext(id); });
}

void Server::wakeStream(uint64_t id) {
    // Deferred: a stream wakes us from inside whatever fed it (one broadcast to
    // many subscribers), and pumping may close the connection.
    const auto it = m_connections.find(id);
    if (it == m_connections.end() || it->second->pumpPosted)
        return;
    it->second->pumpPosted = true;
    m_loop.post([this, id] { pumpStream(id); });
}

void Server::pumpStream(uint64_t id) {
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return;
    Connection &c = *it->second;
    c.pumpPosted = false;
    if (!c.stream)
        return;
    if (c.stream->dropped())
        return closeConnection(id);
    // Only as much as the client takes: the rest waits in the stream (a log
    // follower reads no further, events queue up to their bound).
    bool drained = false;
    while (c.out.size() - c.outPos < kFollowChunk) {
        const std::string data = c.stream->read(kFollowChunk);
        if (data.empty()) {
            drained = true;
            break;
        }
        c.out += chunk(data);
    }
    if (!flush(c))
        return;
    updateInterest(c);
    // The kernel took it all at once: no EPOLLOUT will ask for the rest, and the
    // stream may not wake us again (a log that is not written to any more).
    // Another turn, after the others' work.
    if (!drained && c.out.size() - c.outPos < kFollowChunk)
        wakeStream(id);
}

bool Server::flush(Connection &c) {
    while (c.outPos < c.out.size()) {
        const ssize_t n =
            ::send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
        if (n > 0) {
            c.outPos += static_cast<size_t>(n);
            c.lastActivity = Clock::now();
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        closeConnection(c.id);
        return false;
    }
    if (c.outPos == c.out.size()) {
        c.out.clear();
        c.outPos = 0;
        if (c.closeWhenFlushed) {
            closeConnection(c.id);
            return false;
        }
    } else if (c.outPos > 64 * 1024) {
        c.out.erase(0, c.outPos);
        c.outPos = 0;
    }
    return true;
}

void Server::updateInterest(Connection &c) {
    // RDHUP only together with IN: while nothing is read (back-pressure, or
    // after the client's EOF) a raised, level-triggered RDHUP would spin the
    // loop. A client that closes completely still raises HUP, always reported.
    uint32_t want = 0;
    const bool pendingOut = c.outPos < c.out.size();
    if (!c.eof && c.in.size() < kMaxBufferedInput && c.out.size() - c.outPos < kMaxPendingOutput &&
        c.parser.queued() < kMaxPipelined)
        want |= EPOLLIN | EPOLLRDHUP;
    if (pendingOut)
        want |= EPOLLOUT;
    if (want != c.interest) {
        c.interest = want;
        m_loop.modify(c.fd, want);
    }
    scheduleSweep();
}

void Server::closeConnection(uint64_t id) {
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return;
    std::unique_ptr<Connection> c = std::move(it->second);
    m_connections.erase(it);
    if (c->stream)
        c->stream->stop();
    m_loop.remove(c->fd);
    ::close(c->fd);
}

bool Server::waitsOnUs(const Connection &c) const {
    // A stream with nothing left to send waits for news, not for its client.
    return c.busy || (c.stream && c.outPos == c.out.size());
}

void Server::scheduleSweep() {
    if (m_sweepArmed)
        return;
    std::optional<Clock::time_point> earliest;
    for (const auto &[id, c] : m_connections)
        if (!waitsOnUs(*c) && (!earliest || c->lastActivity < *earliest))
            earliest = c->lastActivity;
    if (!earliest)
        return;
    const auto due = *earliest + std::chrono::seconds(m_limits.idleTimeoutSeconds);
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now());
    m_sweepArmed = true;
    m_loop.after(int(std::max<int64_t>(0, wait.count())), [this] {
        m_sweepArmed = false;
        sweep();
        scheduleSweep();
    });
}

void Server::sweep() {
    const auto now = Clock::now();
    const auto idleLimit = std::chrono::seconds(m_limits.idleTimeoutSeconds);
    std::vector<uint64_t> idle;
    for (auto &[id, c] : m_connections)
        if (!waitsOnUs(*c) && now - c->lastActivity >= idleLimit)
            idle.push_back(id);
    for (uint64_t id : idle)
        closeConnection(id);
}

} // namespace agent

#include "Server.h"

#include "Logs.h"

#include <cerrno>
#include <cstring>
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
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        c.eof = true; // orderly shutdown or a reset
    }
    if (c.eof && c.follower) {
        closeConnection(id); // a log follower that left
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
    if (!c.busy && !c.follower && c.out.size() - c.outPos < kMaxPendingOutput) {
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
    if (!c.busy && !c.follower && c.eof && !c.parser.hasRequest())
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
    if (response.follower) {
        c.follower = std::move(response.follower);
        c.noMoreRequests = true;
        c.in.clear();
    } else if (c.noMoreRequests) {
        c.closeWhenFlushed = true;
    }
    if (!flush(c))
        return;
    updateInterest(c);
    m_loop.post([this, id] { processNext(id); });
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
}

void Server::closeConnection(uint64_t id) {
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return;
    m_loop.remove(it->second->fd);
    ::close(it->second->fd);
    m_connections.erase(it);
}

void Server::tick() {
    const auto now = Clock::now();
    const auto idleLimit = std::chrono::seconds(m_limits.idleTimeoutSeconds);
    std::vector<uint64_t> idle;
    std::vector<uint64_t> following;
    for (auto &[id, c] : m_connections) {
        const bool waitingOnUs = c->busy || (c->follower && c->outPos == c->out.size());
        if (!waitingOnUs && now - c->lastActivity >= idleLimit)
            idle.push_back(id);
        else if (c->follower && c->out.size() - c->outPos < kFollowChunk)
            following.push_back(id);
    }
    for (uint64_t id : idle)
        closeConnection(id);
    for (uint64_t id : following) {
        Connection &c = *m_connections.at(id);
        const std::string lines = c.follower->poll(kFollowChunk);
        if (lines.empty())
            continue;
        c.out += chunk(lines);
        if (flush(c))
            updateInterest(c);
    }
}

} // namespace agent

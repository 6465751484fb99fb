#include "EventLoop.h"

#include <algorithm>
#include <cerrno>
#include <sys/epoll.h>
#include <unistd.h>

namespace agent {

EventLoop::EventLoop()
    : m_epoll(epoll_create1(EPOLL_CLOEXEC)) {}

EventLoop::~EventLoop() {
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EventLoop::add(int fd, uint32_t events, Handler handler) {
    const uint64_t token = m_nextToken++;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0)
        return false;
    auto shared = std::make_shared<Handler>(std::move(handler));
    m_byToken[token] = shared;
    m_byFd[fd] = Entry{token, std::move(shared)};
    return true;
}

bool EventLoop::modify(int fd, uint32_t events) {
    const auto it = m_byFd.find(fd);
    if (it == m_byFd.end())
        return false;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = it->second.token;
    return epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) {
    const auto it = m_byFd.find(fd);
    if (it == m_byFd.end())
        return;
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
    m_byToken.erase(it->second.token);
    m_byFd.erase(it);
}

void EventLoop::post(std::function<void()> fn) {
    m_posted.push_back(std::move(fn));
}

void EventLoop::after(int ms, std::function<void()> fn) {
    m_timers.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(ms),
                     std::move(fn));
}

bool EventLoop::run() {
    using Clock = std::chrono::steady_clock;
    m_running = true;
    epoll_event events[64];
    while (m_running) {
        int timeout = -1;
        if (!m_posted.empty()) {
            timeout = 0;
        } else if (!m_timers.empty()) {
            const auto wait = std::chrono::ceil<std::chrono::milliseconds>(m_timers.begin()->first -
                                                                           Clock::now());
            timeout = static_cast<int>(std::max<int64_t>(0, wait.count()));
        }
        const int n = epoll_wait(m_epoll, events, 64, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        for (int i = 0; i < n && m_running; ++i) {
            const auto it = m_byToken.find(events[i].data.u64);
            if (it == m_byToken.end())
                continue;
            // Keep the handler alive while it runs, even if it removes itself.
            if (const auto handler = it->second.lock())
                (*handler)(events[i].events);
        }
        const auto now = Clock::now();
        while (m_running && !m_timers.empty() && m_timers.begin()->first <= now) {
            auto fn = std::move(m_timers.begin()->second);
            m_timers.erase(m_timers.begin());
            fn();
        }
        std::vector<std::function<void()>> posted;
        posted.swap(m_posted);
        for (auto &fn : posted)
            fn();
    }
    return true;
}

} // namespace agent

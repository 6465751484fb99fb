#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace agent {

// A single-threaded epoll loop. Handlers are registered per file descriptor;
// each registration gets its own token, so an event for a descriptor closed
// earlier in the same batch never reaches a handler registered later.
class EventLoop final {
public:
    using Handler = std::function<void(uint32_t events)>;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    bool isValid() const { return m_epoll >= 0; }

    bool add(int fd, uint32_t events, Handler handler);
    bool modify(int fd, uint32_t events);
    void remove(int fd); // before closing fd

    // Runs `fn` after the current batch of events (never re-entrantly).
    void post(std::function<void()> fn);
    // Runs `fn` once, `ms` milliseconds from now.
    void after(int ms, std::function<void()> fn);

    // Runs until stop(); returns false on a fatal epoll error.
    bool run();
    void stop() { m_running = false; }

private:
    struct Entry {
        uint64_t token;
        std::shared_ptr<Handler> handler;
    };
    int m_epoll = -1;
    bool m_running = false;
    uint64_t m_nextToken = 1;
    std::unordered_map<int, Entry> m_byFd;
    std::unordered_map<uint64_t, std::weak_ptr<Handler>> m_byToken;
    std::vector<std::function<void()>> m_posted;
    std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> m_timers;
};

} // namespace agent

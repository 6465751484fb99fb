#pragma once

#include "EventLoop.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace agent {

// One inotify instance shared by everything in the agent that waits on files
// (the service watcher, every log follower), registered with the loop as one
// fd: inotify instances are a scarce per-user resource (128 by default), a
// watch is not. Several watchers of one path share the kernel's watch.
class Inotify final {
public:
    // `name` is the entry inside a watched directory (empty for the watched
    // path itself). `overflow` is set when the kernel dropped events: every
    // handler is then called once with it and must assume anything changed.
    // IN_IGNORED (the watch is gone) reaches every watcher of the path.
    struct Event {
        uint32_t mask = 0;
        std::string_view name;
        bool overflow = false;
    };
    using Handler = std::function<void(const Event &)>;

    explicit Inotify(EventLoop &loop);
    ~Inotify();
    Inotify(const Inotify &) = delete;
    Inotify &operator=(const Inotify &) = delete;

    bool isValid() const { return m_fd >= 0; }

    // Watches `path` for `mask` (IN_* bits); returns an id for remove(), or 0
    // when the path cannot be watched (missing, or out of watches).
    uint64_t add(const std::string &path, uint32_t mask, Handler handler);
    void remove(uint64_t id);
    // Hands on what the kernel has queued by now, without waiting for the loop
    // to get there: the kernel queues an event inside the syscall that made the
    // change, so after drain() nothing done before it is unheard of.
    void drain() { onReadable(); }

private:
    struct Watcher {
        int wd = -1;
        uint32_t mask = 0;
        std::shared_ptr<Handler> handler;
    };
    void onReadable();

    EventLoop &m_loop;
    int m_fd = -1;
    uint64_t m_nextId = 1;
    std::map<uint64_t, Watcher> m_watchers;
    std::multimap<int, uint64_t> m_byWd;
};

} // namespace agent

#include "Inotify.h"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <vector>

namespace agent {

Inotify::Inotify(EventLoop &loop)
    : m_loop(loop)
    , m_fd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (m_fd >= 0 && !m_loop.add(m_fd, EPOLLIN, [this](uint32_t) { onReadable(); })) {
        ::close(m_fd);
        m_fd = -1;
    }
}

Inotify::~Inotify() {
    if (m_fd < 0)
        return;
    m_loop.remove(m_fd);
    ::close(m_fd);
}

uint64_t Inotify::add(const std::string &path, uint32_t mask, Handler handler) {
    if (m_fd < 0)
        return 0;
    // IN_MASK_ADD: another watcher of the same inode keeps the events it asked for.
    const int wd = inotify_add_watch(m_fd, path.c_str(), mask | IN_MASK_ADD);
    if (wd < 0)
        return 0;
    const uint64_t id = m_nextId++;
    m_watchers[id] = Watcher{wd, mask, std::make_shared<Handler>(std::move(handler))};
    m_byWd.emplace(wd, id);
    return id;
}

void Inotify::remove(uint64_t id) {
    const auto it = m_watchers.find(id);
    if (it == m_watchers.end())
        return;
    const int wd = it->second.wd;
    m_watchers.erase(it);
    if (wd < 0)
        return;
    const auto [first, last] = m_byWd.equal_range(wd);
    for (auto w = first; w != last; ++w) {
        if (w->second == id) {
            m_byWd.erase(w);
            break;
        }
    }
    if (m_byWd.count(wd) == 0)
        inotify_rm_watch(m_fd, wd);
}

void Inotify::onReadable() {
    alignas(inotify_event) char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        for (ssize_t at = 0; at + ssize_t(sizeof(inotify_event)) <= n;) {
            inotify_event raw;
            std::memcpy(&raw, buffer + at, sizeof raw);
            const char *name = buffer + at + sizeof(inotify_event);
            at += ssize_t(sizeof(inotify_event) + raw.len);
            Event event;
            event.mask = raw.mask;
            event.name = raw.len ? std::string_view(name, strnlen(name, raw.len)) : "";
            event.overflow = (raw.mask & IN_Q_OVERFLOW) != 0;
            // A copy: handlers add and remove watches while they run.
            std::vector<std::pair<uint64_t, std::shared_ptr<Handler>>> targets;
            if (event.overflow) {
                for (const auto &[id, w] : m_watchers)
                    targets.emplace_back(id, w.handler);
            } else {
                const auto [first, last] = m_byWd.equal_range(raw.wd);
                for (auto w = first; w != last; ++w) {
                    const Watcher &watcher = m_watchers.at(w->second);
                    if (raw.mask & (watcher.mask | IN_IGNORED))
                        targets.emplace_back(w->second, watcher.handler);
                }
            }
            if (raw.mask & IN_IGNORED) {
                // The kernel dropped the watch (path deleted): its wd is no longer ours.
                const auto [first, last] = m_byWd.equal_range(raw.wd);
                for (auto w = first; w != last; ++w)
                    m_watchers.at(w->second).wd = -1;
                m_byWd.erase(raw.wd);
            }
            for (const auto &[id, handler] : targets)
                if (event.overflow || m_watchers.count(id))
                    (*handler)(event);
        }
    }
}

} // namespace agent

#include "LogStream.h"

#include <sys/inotify.h>

namespace agent {

namespace {

// Without inotify (no instance left, or the directory vanished) a follower
// still gets its lines, only later.
constexpr int kFallbackPollMs = 1000;

} // namespace

LogStream::LogStream(EventLoop &loop, Inotify *inotify, std::string path, int fd, off_t offset,
                     bool stripAnsi)
    : m_loop(loop)
    , m_inotify(inotify)
    , m_follower(path, fd, offset, stripAnsi) {
    const size_t slash = path.rfind('/');
    m_dir = slash == std::string::npos ? "." : path.substr(0, slash);
}

LogStream::~LogStream() {
    stop();
}

void LogStream::start(Wake wake) {
    m_wake = std::move(wake);
    // The directory, not the file: the file is renamed away at each rotation,
    // and the new `current` appears in the directory.
    if (m_inotify)
        m_watch = m_inotify->add(
            m_dir, IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE,
            [this](const Inotify::Event &event) {
                if (event.mask & IN_IGNORED) {
                    m_watch = 0;
                    schedulePoll();
                }
                if (m_wake)
                    m_wake();
            });
    if (!m_watch)
        schedulePoll();
    // Lines written after the first answer was read but before the watch existed.
    m_wake();
}

void LogStream::stop() {
    m_wake = nullptr;
    if (m_watch && m_inotify)
        m_inotify->remove(m_watch);
    m_watch = 0;
}

std::string LogStream::read(size_t maxBytes) {
    return m_follower.poll(maxBytes);
}

void LogStream::schedulePoll() {
    std::weak_ptr<LogStream> weak = weak_from_this();
    m_loop.after(kFallbackPollMs, [weak] {
        const auto self = weak.lock();
        if (!self || !self->m_wake)
            return;
        self->m_wake();
        self->schedulePoll();
    });
}

} // namespace agent

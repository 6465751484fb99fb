#pragma once

#include "EventLoop.h"
#include "Inotify.h"
#include "Logs.h"
#include "Stream.h"

#include <memory>
#include <string>

namespace agent {

// The body of `logs?follow=true`: a LogFollower woken by inotify on the log
// directory (writes to `current`, and s6-log's renames and new `current` when
// it rotates), so a line goes out the moment it is written. Only when the
// directory cannot be watched does it fall back to a slow poll.
class LogStream final : public Stream, public std::enable_shared_from_this<LogStream> {
public:
    LogStream(EventLoop &loop, Inotify *inotify, std::string path, int fd, off_t offset,
              bool stripAnsi);
    ~LogStream() override;

    void start(Wake wake) override;
    void stop() override;
    std::string read(size_t maxBytes) override;

private:
    void schedulePoll();

    EventLoop &m_loop;
    Inotify *m_inotify;
    std::string m_dir;
    LogFollower m_follower;
    uint64_t m_watch = 0;
    Wake m_wake;
};

} // namespace agent

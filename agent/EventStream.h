#pragma once

#include "EventLoop.h"
#include "Stream.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace agent {

// One GET /events subscriber: server-sent events queued until the server can
// send them, numbered per connection (`id:` 1, 2, ...), and a `: ping` comment
// every heartbeat interval so that a peer that vanished is noticed by a failed
// write. A subscriber that lets more than `maxBacklog` bytes pile up is dropped.
class EventStream final : public Stream, public std::enable_shared_from_this<EventStream> {
public:
    EventStream(EventLoop &loop, size_t maxBacklog, int heartbeatMs,
                std::function<void(EventStream *)> onStop);
    ~EventStream() override;

    void start(Wake wake) override;
    void stop() override;
    std::string read(size_t maxBytes) override;
    bool dropped() const override { return m_dropped; }

    // `data` is one line of JSON.
    void send(std::string_view event, std::string_view data);

private:
    void append(std::string_view text);
    void scheduleHeartbeat();

    EventLoop &m_loop;
    size_t m_maxBacklog;
    int m_heartbeatMs;
    std::function<void(EventStream *)> m_onStop;
    uint64_t m_nextId = 1;
    std::string m_queue;
    bool m_dropped = false;
    Wake m_wake;
};

} // namespace agent

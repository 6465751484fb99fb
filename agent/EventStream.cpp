#include "EventStream.h"

#include <utility>

namespace agent {

EventStream::EventStream(EventLoop &loop, size_t maxBacklog, int heartbeatMs,
                         std::function<void(EventStream *)> onStop)
    : m_loop(loop)
    , m_maxBacklog(maxBacklog)
    , m_heartbeatMs(heartbeatMs)
    , m_onStop(std::move(onStop)) {}

EventStream::~EventStream() {
    stop();
}

void EventStream::start(Wake wake) {
    m_wake = std::move(wake);
    scheduleHeartbeat();
    if (!m_queue.empty())
        m_wake();
}

void EventStream::stop() {
    m_wake = nullptr;
    if (auto onStop = std::move(m_onStop))
        onStop(this);
    m_onStop = nullptr;
}

std::string EventStream::read(size_t maxBytes) {
    // Whole events only, unless one alone is larger than maxBytes.
    if (m_queue.size() <= maxBytes)
        return std::exchange(m_queue, std::string());
    size_t end = m_queue.rfind("\n\n", maxBytes);
    end = end == std::string::npos ? maxBytes : end + 2;
    std::string out = m_queue.substr(0, end);
    m_queue.erase(0, end);
    return out;
}

void EventStream::send(std::string_view event, std::string_view data) {
    std::string text = "id: " + std::to_string(m_nextId++) + "\nevent: ";
    text += event;
    text += "\ndata: ";
    text += data;
    text += "\n\n";
    append(text);
}

void EventStream::append(std::string_view text) {
    if (m_dropped)
        return;
    m_queue += text;
    if (m_queue.size() > m_maxBacklog) {
        // It stopped reading: let it go rather than hold ever more for it.
        m_dropped = true;
        m_queue.clear();
    }
    if (m_wake)
        m_wake();
}

void EventStream::scheduleHeartbeat() {
    std::weak_ptr<EventStream> weak = weak_from_this();
    m_loop.after(m_heartbeatMs, [weak] {
        const auto self = weak.lock();
        if (!self || !self->m_wake)
            return;
        self->append(": ping\n\n");
        self->scheduleHeartbeat();
    });
}

} // namespace agent

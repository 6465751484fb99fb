#pragma once

#include "EventLoop.h"
#include "Http.h"
#include "Inotify.h"
#include "ServiceWatcher.h"
#include "Services.h"

#include <map>
#include <string>
#include <vector>

namespace agent {

class Api;
class EventStream;

// GET /events: every subscriber first gets one `service` event per service
// (its Status object), then a `service` event whenever what s6 recorded for a
// service changes (not when only seconds pass), and `service_added` /
// `service_removed` as the scan directory changes. The watcher starts with the
// first subscriber or status request and then keeps the readings for the
// agent's life: a status answer costs no system call per service, subscribed
// or not, and nothing but the kernel (and each subscriber's heartbeat) wakes
// the agent for it.
class EventHub final {
public:
    struct Limits {
        size_t maxSubscribers = 32;
        size_t maxBacklog = 1024 * 1024; // unsent bytes per subscriber before it is dropped
        int heartbeatMs = 15000;
    };

    EventHub(EventLoop &loop, Inotify &inotify, Services &services, Api &api, Limits limits);
    ~EventHub();
    EventHub(const EventHub &) = delete;
    EventHub &operator=(const EventHub &) = delete;

    // The streamed answer for a new subscriber, or 503 past the cap.
    Response subscribe();
    size_t subscriberCount() const { return m_subscribers.size(); }

    // The readings kept for /events answer status requests too, instead of the
    // files: sync() once per request (it starts the watcher the first time),
    // then currentReading() per service; null means read the files.
    void sync();
    const Services::Reading *currentReading(const std::string &name) const;

private:
    struct Known {
        Services::Reading reading;
        std::string lastJson; // the object last sent (empty while s6-svstat is asked)
        uint64_t generation = 0;
    };
    // Starts the watcher and reads every service once, unless it runs already.
    // False when the scan directory cannot be watched.
    bool watch();
    void unsubscribe(EventStream *stream);
    void onChanges(const ServiceWatcher::Changes &changes);
    void relist();
    // Reads the service again; sends a `service` event when the reading differs.
    void update(const std::string &name, bool force);
    void broadcast(const char *event, const std::string &data);

    EventLoop &m_loop;
    Inotify &m_inotify;
    Services &m_services;
    Api &m_api;
    Limits m_limits;
    ServiceWatcher m_watcher;
    std::map<std::string, Known> m_known;
    std::vector<EventStream *> m_subscribers;
    uint64_t m_generation = 0;
};

} // namespace agent

#pragma once

#include "EventLoop.h"
#include "Inotify.h"

#include <functional>
#include <map>
#include <set>
#include <string>

namespace agent {

// Learns from the kernel, not by polling, when something about the services
// may have changed: entries added to or removed from the scan directory, a
// service's `run`/`type`/`down`, and its supervise/status, rewritten by
// s6-supervise (by rename) at each transition, or its supervisor going
// (supervise/lock closed). Watches are added as directories appear: a service
// is often added before its supervise/ exists. The events of one batch are
// handed on together, after the batch.
class ServiceWatcher final {
public:
    struct Changes {
        std::set<std::string> touched; // services to read again
        bool relist = false;           // the set of services may differ
        bool everything = false;       // events were lost: read every service again
    };
    using Handler = std::function<void(const Changes &)>;

    ServiceWatcher(EventLoop &loop, Inotify &inotify, std::string scanDir, Handler handler);
    ~ServiceWatcher();
    ServiceWatcher(const ServiceWatcher &) = delete;
    ServiceWatcher &operator=(const ServiceWatcher &) = delete;

    // False when the scan directory cannot be watched.
    bool start();
    void stop();
    bool isActive() const { return m_scanWatch != 0; }
    // Both of the service's directories are watched and nothing the kernel said
    // of it waits to be handled: a reading taken since its last change is current.
    // Call after Inotify::drain().
    bool isSettled(const std::string &name) const;

private:
    struct Entry {
        uint64_t dir = 0;
        uint64_t supervise = 0;
    };
    void onScanEvent(const Inotify::Event &event);
    void onServiceEvent(const std::string &name, const Inotify::Event &event);
    void onSuperviseEvent(const std::string &name, const Inotify::Event &event);
    void syncEntries(); // watches every entry of the scan directory, forgets the gone
    void watchEntry(const std::string &name);
    void watchSupervise(const std::string &name);
    void unwatchEntry(const std::string &name);
    void touch(const std::string &name, bool relist);
    void lost();

    EventLoop &m_loop;
    Inotify &m_inotify;
    std::string m_scanDir;
    Handler m_handler;
    uint64_t m_scanWatch = 0;
    std::map<std::string, Entry> m_entries;
    Changes m_pending;
    bool m_posted = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace agent

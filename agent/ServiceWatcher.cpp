#include "ServiceWatcher.h"

#include "Services.h"

#include <dirent.h>
#include <sys/inotify.h>
#include <utility>

namespace agent {

namespace {

constexpr uint32_t kScanMask =
    IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF;
// IN_CLOSE_WRITE: a `finish` script rewritten in place changes whether the
// service counts as failed (its s6-permafailon rule).
constexpr uint32_t kServiceMask =
    IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE;
// Not IN_CLOSE_NOWRITE on `status` nor anything on `control`: the agent's own
// reads open those, and reacting to them would wake it for ever.
constexpr uint32_t kSuperviseMask =
    IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_DELETE | IN_DELETE_SELF;

} // namespace

ServiceWatcher::ServiceWatcher(EventLoop &loop, Inotify &inotify, std::string scanDir,
                               Handler handler)
    : m_loop(loop)
    , m_inotify(inotify)
    , m_scanDir(std::move(scanDir))
    , m_handler(std::move(handler)) {}

ServiceWatcher::~ServiceWatcher() {
    stop();
}

bool ServiceWatcher::start() {
    if (m_scanWatch)
        return true;
    m_scanWatch = m_inotify.add(m_scanDir, kScanMask,
                                [this](const Inotify::Event &event) { onScanEvent(event); });
    if (!m_scanWatch)
        return false;
    syncEntries();
    return true;
}

void ServiceWatcher::stop() {
    while (!m_entries.empty())
        unwatchEntry(m_entries.begin()->first);
    if (m_scanWatch)
        m_inotify.remove(m_scanWatch);
    m_scanWatch = 0;
    m_pending = Changes();
}

void ServiceWatcher::syncEntries() {
    std::set<std::string> present;
    if (DIR *dir = ::opendir(m_scanDir.c_str())) {
        while (const dirent *entry = ::readdir(dir))
            if (isServiceEntryName(entry->d_name))
                present.emplace(entry->d_name);
        ::closedir(dir);
    }
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        const std::string name = (it++)->first;
        if (!present.count(name))
            unwatchEntry(name);
    }
    for (const auto &name : present)
        if (!m_entries.count(name))
            watchEntry(name);
}

void ServiceWatcher::onScanEvent(const Inotify::Event &event) {
    if (event.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        // Watches follow inodes, reads follow the path: the directory now at the path (if
        // any) is another one, so everything is watched again from there.
        stop();
        start();
        return lost();
    }
    if (event.overflow)
        return lost();
    const std::string name(event.name);
    if (!isServiceEntryName(name))
        return;
    // A name that arrives anew may be a replacement (s6-rc swaps symlinks into place): the
    // old watches are on the old directory, so they go first.
    unwatchEntry(name);
    if (event.mask & (IN_CREATE | IN_MOVED_TO))
        watchEntry(name);
    touch(name, true);
}

void ServiceWatcher::onServiceEvent(const std::string &name, const Inotify::Event &event) {
    if (event.overflow)
        return lost();
    if (event.mask & IN_IGNORED) {
        // The directory went (the scan directory's event says so too) or was replaced.
        if (const auto it = m_entries.find(name); it != m_entries.end())
            it->second.dir = 0;
        return touch(name, true);
    }
    if (event.name == "supervise" && (event.mask & (IN_CREATE | IN_MOVED_TO)))
        watchSupervise(name);
    touch(name, event.name == "run" || event.name == "type");
}

void ServiceWatcher::onSuperviseEvent(const std::string &name, const Inotify::Event &event) {
    if (event.overflow)
        return lost();
    if (event.mask & IN_IGNORED) {
        if (const auto it = m_entries.find(name); it != m_entries.end())
            it->second.supervise = 0;
        return touch(name, false);
    }
    const bool status = event.name == "status" && (event.mask & (IN_MOVED_TO | IN_CLOSE_WRITE));
    // The Status object carries the last death; s6-svdt-clear rewrites the tally alone.
    const bool tally =
        event.name == "death_tally" && (event.mask & (IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE));
    // s6-supervise holds `lock` while it lives: its close is the supervisor going.
    const bool lock = event.name == "lock" && (event.mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE));
    const bool created = (event.mask & IN_CREATE) && event.name == "control";
    if (status || tally || lock || created)
        touch(name, false);
}

void ServiceWatcher::watchEntry(const std::string &name) {
    Entry &entry = m_entries[name];
    if (!entry.dir)
        entry.dir = m_inotify.add(
            m_scanDir + '/' + name, kServiceMask | IN_ONLYDIR,
            [this, name](const Inotify::Event &event) { onServiceEvent(name, event); });
    watchSupervise(name);
}

void ServiceWatcher::watchSupervise(const std::string &name) {
    Entry &entry = m_entries[name];
    if (entry.supervise)
        return;
    entry.supervise =
        m_inotify.add(m_scanDir + '/' + name + "/supervise", kSuperviseMask | IN_ONLYDIR,
                      [this, name](const Inotify::Event &event) { onSuperviseEvent(name, event); });
    // Whatever happened in it before the watch existed is read now.
    if (entry.supervise)
        touch(name, false);
}

void ServiceWatcher::unwatchEntry(const std::string &name) {
    const auto it = m_entries.find(name);
    if (it == m_entries.end())
        return;
    if (it->second.dir)
        m_inotify.remove(it->second.dir);
    if (it->second.supervise)
        m_inotify.remove(it->second.supervise);
    m_entries.erase(it);
}

bool ServiceWatcher::isSettled(const std::string &name) const {
    if (!m_scanWatch || m_pending.everything || m_pending.touched.count(name))
        return false;
    const auto it = m_entries.find(name);
    return it != m_entries.end() && it->second.dir && it->second.supervise;
}

void ServiceWatcher::lost() {
    m_pending.everything = true;
    m_pending.relist = true;
    if (m_scanWatch)
        syncEntries();
    touch({}, true);
}

void ServiceWatcher::touch(const std::string &name, bool relist) {
    if (!name.empty())
        m_pending.touched.insert(name);
    m_pending.relist = m_pending.relist || relist;
    if (m_posted)
        return;
    m_posted = true;
    std::weak_ptr<bool> alive = m_alive; // a post may outlive the watcher
    m_loop.post([this, alive] {
        if (alive.expired())
            return;
        m_posted = false;
        if (!m_scanWatch)
            return;
        const Changes changes = std::exchange(m_pending, Changes());
        m_handler(changes);
    });
}

} // namespace agent

#pragma once

#include "DeathTally.h"
#include "Permafail.h"
#include "S6Status.h"

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

namespace agent {

// [A-Za-z0-9][A-Za-z0-9_.@-]*, at most 255 bytes: nothing that can leave the
// directory it names (no '/', no "..", no NUL or control characters).
// The rule that decides; core's rules/Rules.h isValidServiceName is its twin and
// tests/fixtures/rules/service-names.txt pins both to one table.
bool isValidServiceName(std::string_view name);

// A scan-directory entry that may be a listed service: a valid name, not hidden,
// not one of s6-overlay's internals (s6rc-*, s6-linux-init-*).
bool isServiceEntryName(std::string_view name);

// File-system view of one s6 scan directory and its companions. Every method
// takes an already validated name.
class Services final {
public:
    Services(std::string scanDir, std::string logDir, std::string rcSourceDir);
    ~Services();
    Services(const Services &) = delete;
    Services &operator=(const Services &) = delete;

    // Re-opens the scan directory when the path names another directory than
    // the one held; called once per request and before /events reads the
    // services again, so a replaced directory is picked up.
    void refresh();

    // Sub-directories holding `run` or `type`, sorted; hidden entries and
    // s6-overlay internals (s6rc-*, s6-linux-init-*) left out.
    std::vector<std::string> list() const;
    bool exists(std::string_view name) const;

    std::string serviceDir(std::string_view name) const;
    std::string logPath(std::string_view name) const;
    std::string runPath(std::string_view name) const;

    // No `down` file in the service directory.
    bool normallyUp(std::string_view name) const;

    enum class StatusRead { Ok, NotSupervised, Unreadable };
    // Reads supervise/status directly; `status` is set only for Ok.
    StatusRead readStatus(std::string_view name, SupervisionStatus &status,
                          bool fresh = false) const;

    enum class DeathsRead { Ok, Malformed, Unreadable };
    // Reads supervise/death_tally directly (at most kMaxDeathTallySize bytes),
    // oldest death first; no file yet is Ok with none. `deaths` is set only for Ok.
    DeathsRead readDeaths(std::string_view name, std::vector<Death> &deaths,
                          bool fresh = false) const;

    // The s6-permafailon rule of the service's `finish` script (at most 64 KiB
    // read), nullopt when it has none or no such script.
    std::optional<PermafailRule> permafailRule(std::string_view name) const;

    // Managed by s6-rc: a symlink into an s6-rc live directory (…/servicedirs/<name>),
    // or a definition with producer-for / consumer-for.
    bool isS6rcManaged(std::string_view name) const;

    enum class ControlResult { Ok, NotSupervised, Failed };
    // Writes s6-svc's one-byte command ('u', 'd', 'r') to supervise/control.
    ControlResult sendControl(std::string_view name, char command) const;

    // Everything the Status object is made of, read at one moment: equal
    // readings give equal objects but for the seconds that pass.
    struct Reading {
        StatusRead kind = StatusRead::Unreadable;
        SupervisionStatus status; // for Ok
        bool normallyUp = true;
        // The death tally's content, nullopt when it cannot be read or decoded.
        // Content, not the count of recent deaths: that one changes as time passes.
        std::optional<std::vector<Death>> deaths = std::vector<Death>();
        // s6-permafailon in the finish script took it down (see Permafail.h).
        bool failed = false;
        bool operator==(const Reading &) const = default;
    };
    // `fresh` bypasses the caches: the status file and the supervisor are looked
    // at now (the watcher reads right after inotify said they changed).
    Reading read(std::string_view name, bool fresh = false) const;
    // The next list() reads the directory again.
    void invalidateList() const { m_list.valid = false; }

    const std::string &scanDir() const { return m_scanDir; }

private:
    int base() const;
    std::string at(std::string_view name, const char *suffix) const;
    bool has(std::string_view name, const char *suffix) const;

    static constexpr std::chrono::milliseconds kCacheTtl{1000};
    struct ListCache {
        bool valid = false;
        timespec mtime{};
        ino_t inode = 0;
        std::chrono::steady_clock::time_point until;
        std::vector<std::string> names;
    };

    struct CachedStatus {
        struct stat file;
        SupervisionStatus status;
    };

    struct CachedDeaths {
        struct stat file;
        std::vector<Death> deaths;
    };

    struct CachedRule {
        struct stat file;
        std::optional<PermafailRule> rule;
    };

    int m_scanFd = -1;
    struct stat m_scanId {}; // device and inode of the directory m_scanFd holds
    mutable std::unordered_map<std::string, CachedStatus> m_statusCache;
    mutable std::unordered_map<std::string, CachedDeaths> m_deathCache;
    mutable std::unordered_map<std::string, CachedRule> m_ruleCache;
    mutable ListCache m_list;
    mutable std::unordered_map<std::string, std::chrono::steady_clock::time_point>
        m_supervisedUntil;
    std::string m_scanDir;
    std::string m_logDir;
    std::string m_rcSourceDir;
};

// Replaces `path` atomically with `content` (temp file in the same directory,
// fsync, rename), keeping the old file's mode and owner. The temp file is
// removed on any failure. Returns an empty string or the reason for failure.
std::string replaceFileAtomically(const std::string &path, std::string_view content);

// Whole small file (a run script); nullopt when it cannot be read.
std::optional<std::string> readSmallFile(const std::string &path, size_t maxBytes);

} // namespace agent

#include "Services.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agent {

namespace {

bool fileExists(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool sameFile(const struct stat &a, const struct stat &b) {
    return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
           a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
           a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// A small file read whole, at most `maxBytes`, with the stat of what was read (so a cache
// can tell it from a later version). Nothing when it cannot be opened or read.
struct SmallFile {
    std::string bytes;
    struct stat opened {};
    bool statted = false;
};
std::optional<SmallFile> readSmallFile(int dir, const std::string &path, size_t maxBytes) {
    const int fd = ::openat(dir, path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    SmallFile file;
    file.bytes.assign(maxBytes, '\0');
    size_t total = 0;
    bool failed = false;
    while (total < file.bytes.size()) {
        const ssize_t n = ::read(fd, file.bytes.data() + total, file.bytes.size() - total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            failed = n < 0;
            break;
        }
        total += static_cast<size_t>(n);
    }
    file.statted = ::fstat(fd, &file.opened) == 0;
    ::close(fd);
    if (failed)
        return std::nullopt;
    file.bytes.resize(total);
    return file;
}

} // namespace

bool isValidServiceName(std::string_view name) {
    if (name.empty() || name.size() > 255)
        return false;
    auto alnum = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (!alnum(name[0]))
        return false;
    for (char c : name)
        if (!alnum(c) && c != '_' && c != '.' && c != '@' && c != '-')
            return false;
    return name.find("..") == std::string_view::npos;
}

bool isServiceEntryName(std::string_view name) {
    return !name.empty() && name[0] != '.' && !startsWith(name, "s6rc-") &&
           !startsWith(name, "s6-linux-init-") && isValidServiceName(name);
}

Services::Services(std::string scanDir, std::string logDir, std::string rcSourceDir)
    : m_scanDir(std::move(scanDir))
    , m_logDir(std::move(logDir))
    , m_rcSourceDir(std::move(rcSourceDir)) {}

Services::~Services() {
    if (m_scanFd >= 0)
        ::close(m_scanFd);
}

void Services::refresh() {
    // Every file below is opened relative to this descriptor: paths of two or
    // three components instead of the whole scan-directory path, each time. One
    // stat of the path tells whether the directory was replaced since.
    struct stat now {};
    if (::stat(m_scanDir.c_str(), &now) != 0) {
        if (m_scanFd >= 0)
            ::close(m_scanFd);
        m_scanFd = -1;
        return;
    }
    if (m_scanFd >= 0 && now.st_ino == m_scanId.st_ino && now.st_dev == m_scanId.st_dev)
        return;
    if (m_scanFd >= 0)
        ::close(m_scanFd);
    m_scanFd = ::open(m_scanDir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (m_scanFd >= 0 && ::fstat(m_scanFd, &m_scanId) != 0) {
        ::close(m_scanFd);
        m_scanFd = -1;
    }
}

int Services::base() const {
    return m_scanFd >= 0 ? m_scanFd : AT_FDCWD;
}

std::string Services::at(std::string_view name, const char *suffix) const {
    std::string path = m_scanFd >= 0 ? std::string(name) : serviceDir(name);
    path += suffix;
    return path;
}

bool Services::has(std::string_view name, const char *suffix) const {
    struct stat st {};
    return ::fstatat(base(), at(name, suffix).c_str(), &st, 0) == 0;
}

std::vector<std::string> Services::list() const {
    // The listing is reused while the scan directory's mtime is unchanged
    // (services arrive by rename or mkdir, which change it), for at most
    // kCacheTtl: a request for all statuses then costs no stat per entry.
    struct stat scan {};
    const auto now = std::chrono::steady_clock::now();
    const bool canCache = m_scanFd >= 0 && ::fstat(m_scanFd, &scan) == 0;
    if (canCache && m_list.valid && now < m_list.until &&
        scan.st_mtim.tv_sec == m_list.mtime.tv_sec &&
        scan.st_mtim.tv_nsec == m_list.mtime.tv_nsec && scan.st_ino == m_list.inode)
        return m_list.names;
    std::vector<std::string> names;
    DIR *dir = ::opendir(m_scanDir.c_str());
    if (!dir)
        return names;
    while (const dirent *entry = ::readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (!isServiceEntryName(name))
            continue;
        if (entry->d_type != DT_DIR && entry->d_type != DT_LNK && entry->d_type != DT_UNKNOWN)
            continue;
        if (has(name, "/run") || has(name, "/type"))
            names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    if (canCache)
        m_list = ListCache{true, scan.st_mtim, scan.st_ino, now + kCacheTtl, names};
    return names;
}

bool Services::exists(std::string_view name) const {
    if (startsWith(name, "s6rc-") || startsWith(name, "s6-linux-init-"))
        return false;
    return has(name, "/run") || has(name, "/type");
}

std::string Services::serviceDir(std::string_view name) const {
    return m_scanDir + '/' + std::string(name);
}

std::string Services::logPath(std::string_view name) const {
    return m_logDir + '/' + std::string(name) + "/current";
}

std::string Services::runPath(std::string_view name) const {
    return m_rcSourceDir + '/' + std::string(name) + "/run";
}

bool Services::normallyUp(std::string_view name) const {
    struct stat st {};
    return ::fstatat(base(), at(name, "/down").c_str(), &st, 0) != 0 && errno == ENOENT;
}

Services::Reading Services::read(std::string_view name, bool fresh) const {
    Reading reading;
    reading.normallyUp = normallyUp(name);
    reading.kind = readStatus(name, reading.status, fresh);
    if (reading.kind != StatusRead::Ok)
        reading.status = SupervisionStatus();
    std::vector<Death> deaths;
    if (readDeaths(name, deaths, fresh) == DeathsRead::Ok)
        reading.deaths = std::move(deaths);
    else
        reading.deaths.reset();
    // The finish script is read only for a service that looks stopped by it: down, not
    // wanted up, nothing since its last death.
    if (reading.kind == StatusRead::Ok && reading.deaths && !reading.deaths->empty() &&
        !reading.status.wantUp && reading.deaths->back().stamp == reading.status.stamp) {
        const auto rule = permafailRule(name);
        reading.failed = rule && stoppedByPermafail(reading.status, *reading.deaths, *rule);
    }
    return reading;
}

std::optional<PermafailRule> Services::permafailRule(std::string_view name) const {
    constexpr size_t kMaxFinishScript = 64 * 1024;
    const std::string key(name);
    const std::string path = at(name, "/finish");
    struct stat current {};
    if (::fstatat(base(), path.c_str(), &current, 0) != 0 || !S_ISREG(current.st_mode) ||
        current.st_size > off_t(kMaxFinishScript)) {
        m_ruleCache.erase(key);
        return std::nullopt;
    }
    if (const auto cached = m_ruleCache.find(key);
        cached != m_ruleCache.end() && sameFile(cached->second.file, current))
        return cached->second.rule;
    const auto script = readSmallFile(base(), path, kMaxFinishScript);
    if (!script)
        return std::nullopt;
    auto rule = parsePermafailon(script->bytes);
    if (script->statted) {
        if (m_ruleCache.size() > 4096)
            m_ruleCache.clear();
        m_ruleCache[key] = CachedRule{script->opened, rule};
    }
    return rule;
}

Services::DeathsRead Services::readDeaths(std::string_view name, std::vector<Death> &deaths,
                                          bool fresh) const {
    // Written like the status file (a new file renamed over the old), so the same
    // stat-based cache holds; it only changes when the service dies.
    const std::string key(name);
    const std::string path = at(name, "/supervise/death_tally");
    struct stat current {};
    if (::fstatat(base(), path.c_str(), &current, 0) != 0) {
        m_deathCache.erase(key);
        if (errno != ENOENT && errno != ENOTDIR)
            return DeathsRead::Unreadable;
        deaths.clear(); // s6-supervise writes the file at the first death
        return DeathsRead::Ok;
    }
    if (!S_ISREG(current.st_mode) || current.st_size > off_t(kMaxDeathTallySize))
        return DeathsRead::Malformed;
    if (const auto cached = m_deathCache.find(key);
        !fresh && cached != m_deathCache.end() && sameFile(cached->second.file, current)) {
        deaths = cached->second.deaths;
        return DeathsRead::Ok;
    }
    // One byte more than the largest tally tells a file that grew since apart.
    const auto tally = readSmallFile(base(), path, kMaxDeathTallySize + 1);
    if (!tally)
        return DeathsRead::Unreadable;
    auto parsed = parseDeathTally(tally->bytes);
    if (!parsed)
        return DeathsRead::Malformed;
    deaths = std::move(*parsed);
    if (tally->statted) {
        if (m_deathCache.size() > 4096)
            m_deathCache.clear();
        m_deathCache[key] = CachedDeaths{tally->opened, deaths};
    }
    return DeathsRead::Ok;
}

Services::StatusRead Services::readStatus(std::string_view name, SupervisionStatus &status,
                                          bool fresh) const {
    // s6-svstat refuses a service without a live s6-supervise; so do we. A
    // FIFO opened for writing without blocking fails with ENXIO when nobody
    // reads it. A supervisor found is trusted for kCacheTtl; an absent one is
    // looked for again every time.
    const auto now = std::chrono::steady_clock::now();
    const std::string key(name);
    const auto known = m_supervisedUntil.find(key);
    if (fresh || known == m_supervisedUntil.end() || now >= known->second) {
        const int ctl = ::openat(base(), at(name, "/supervise/control").c_str(),
                                 O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (ctl < 0) {
            m_supervisedUntil.erase(key);
            return (errno == ENXIO || errno == ENOENT) ? StatusRead::NotSupervised
                                                       : StatusRead::Unreadable;
        }
        ::close(ctl);
        if (m_supervisedUntil.size() > 4096)
            m_supervisedUntil.clear(); // bounded, whatever names come and go
        m_supervisedUntil[key] = now + kCacheTtl;
    }
    // s6-supervise never rewrites the file in place: it writes a new one and
    // renames it over the old. A file with the same inode, size and change
    // times is therefore the same content, and one stat replaces open+read+close.
    const std::string path = at(name, "/supervise/status");
    struct stat current {};
    if (::fstatat(base(), path.c_str(), &current, 0) != 0)
        return StatusRead::Unreadable;
    // Not when fresh: a file rewritten twice within one tick of the file-system
    // clock can come back with a recycled inode, the same size and times.
    if (const auto cached = m_statusCache.find(key);
        !fresh && cached != m_statusCache.end() && sameFile(cached->second.file, current)) {
        status = cached->second.status;
        return StatusRead::Ok;
    }
    const int fd = ::openat(base(), path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return StatusRead::Unreadable;
    // One read sees all of it (the file is complete when renamed into place);
    // asking for one byte more than the largest layout tells a longer file apart.
    char buffer[kStatusSizeWithPgid + 1];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) < 0 && errno == EINTR) {
    }
    struct stat opened {};
    const bool statted = ::fstat(fd, &opened) == 0;
    ::close(fd);
    const size_t total = n > 0 ? static_cast<size_t>(n) : 0;
    const auto parsed = parseStatusFile(std::string_view(buffer, total));
    if (!parsed)
        return StatusRead::Unreadable;
    status = *parsed;
    if (statted) {
        if (m_statusCache.size() > 4096)
            m_statusCache.clear();
        m_statusCache[key] = CachedStatus{opened, status};
    }
    return StatusRead::Ok;
}

bool Services::isS6rcManaged(std::string_view name) const {
    const std::string entry = serviceDir(name);
    struct stat st {};
    if (::lstat(entry.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        char resolved[PATH_MAX];
        if (::realpath(entry.c_str(), resolved)) {
            std::string_view path = resolved;
            const size_t slash = path.rfind('/');
            if (slash != std::string_view::npos) {
                std::string_view parent = path.substr(0, slash);
                const size_t parentSlash = parent.rfind('/');
                if (parent.substr(parentSlash + 1) == "servicedirs")
                    return true;
            }
        }
    }
    const std::string def = m_rcSourceDir + '/' + std::string(name);
    return fileExists(def + "/producer-for") || fileExists(def + "/consumer-for");
}

Services::ControlResult Services::sendControl(std::string_view name, char command) const {
    const int fd =
        ::openat(base(), at(name, "/supervise/control").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return (errno == ENXIO || errno == ENOENT) ? ControlResult::NotSupervised
                                                   : ControlResult::Failed;
    ssize_t n;
    while ((n = ::write(fd, &command, 1)) < 0 && errno == EINTR) {
    }
    ::close(fd);
    return n == 1 ? ControlResult::Ok : ControlResult::Failed;
}

std::optional<std::string> readSmallFile(const std::string &path, size_t maxBytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::string content;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0)
            break;
        content.append(buffer, static_cast<size_t>(n));
        if (content.size() > maxBytes) {
            ::close(fd);
            return std::nullopt;
        }
    }
    ::close(fd);
    return content;
}

std::string replaceFileAtomically(const std::string &path, std::string_view content) {
    struct stat old {};
    if (::stat(path.c_str(), &old) != 0)
        return "cannot stat " + path;
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    std::string temp = dir + "/.run.tmp.XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0)
        return "cannot create a temporary file in " + dir;
    bool ok = true;
    int error = 0; // the first failure's errno, so the answer says why (e.g. a full disk)
    const auto check = [&error](bool success) {
        if (!success && error == 0)
            error = errno;
        return success;
    };
    size_t written = 0;
    while (ok && written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        ok = check(n > 0);
        if (ok)
            written += static_cast<size_t>(n);
    }
    ok = ok && check(::fchmod(fd, old.st_mode & 07777) == 0);
    if (ok && ::fchown(fd, old.st_uid, old.st_gid) != 0) {
        // Not fatal: an unprivileged agent cannot give files away; mode is what matters.
    }
    ok = ok && check(::fsync(fd) == 0);
    ok = check(::close(fd) == 0) && ok;
    ok = ok && check(::rename(temp.c_str(), path.c_str()) == 0);
    if (!ok) {
        ::unlink(temp.c_str());
        return "cannot write " + path +
               (error != 0 ? ": " + std::string(std::strerror(error)) : "");
    }
    return {};
}

} // namespace agent

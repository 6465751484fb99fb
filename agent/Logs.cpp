#include "Logs.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace agent {

namespace {

constexpr size_t kBlock = 64 * 1024;

ssize_t preadFully(int fd, char *buffer, size_t length, off_t offset) {
    size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(fd, buffer + done, length - done, offset + off_t(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

// Offset just past the last '\n' before `end` searching back at most `limit`
// bytes; -1 when there is none in that range.
off_t lastNewlineEnd(int fd, off_t end, size_t limit) {
    std::string block(kBlock, '\0');
    const off_t stop = end > off_t(limit) ? end - off_t(limit) : 0;
    off_t pos = end;
    while (pos > stop) {
        const size_t len = static_cast<size_t>(std::min<off_t>(off_t(kBlock), pos - stop));
        pos -= off_t(len);
        if (preadFully(fd, block.data(), len, pos) != ssize_t(len))
            return -1;
        for (size_t i = len; i-- > 0;)
            if (block[i] == '\n')
                return pos + off_t(i) + 1;
    }
    return -1;
}

} // namespace

std::string stripAnsi(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        if (text[i] != '\x1b') {
            out += text[i++];
            continue;
        }
        if (i + 1 >= text.size()) {
            ++i;
            continue;
        }
        const char kind = text[i + 1];
        i += 2;
        if (kind == '[') { // CSI: parameters, intermediates, one final byte 0x40-0x7e
            while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e))
                ++i;
            if (i < text.size())
                ++i;
        } else if (kind == ']') { // OSC: ends with BEL or ESC backslash
            while (i < text.size() && text[i] != '\x07' &&
                   !(text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '\\'))
                ++i;
            if (i < text.size())
                i += text[i] == '\x07' ? 1 : 2;
        }
    }
    return out;
}

std::string tailLines(int fd, off_t size, size_t lines, size_t maxBytes, bool completeLinesOnly,
                      off_t &startOffset) {
    off_t end = size;
    if (completeLinesOnly) {
        const off_t e = lastNewlineEnd(fd, size, maxBytes);
        end = e >= 0 ? e : (size <= off_t(maxBytes) ? 0 : size);
    }
    startOffset = end;
    if (lines == 0 || end == 0)
        return {};

    // Walk back from the end counting newlines; the one ending the last line does not count.
    off_t begin = 0;
    size_t found = 0;
    off_t pos = end;
    const off_t floor = end > off_t(maxBytes) ? end - off_t(maxBytes) : 0;
    std::string block(kBlock, '\0');
    bool done = false;
    bool skippedFinal = false;
    while (pos > floor && !done) {
        const size_t len = static_cast<size_t>(std::min<off_t>(off_t(kBlock), pos - floor));
        pos -= off_t(len);
        if (preadFully(fd, block.data(), len, pos) != ssize_t(len))
            return {};
        for (size_t i = len; i-- > 0;) {
            if (block[i] != '\n')
                continue;
            const off_t at = pos + off_t(i);
            if (!skippedFinal && at == end - 1) {
                skippedFinal = true;
                continue;
            }
            skippedFinal = true;
            if (++found == lines) {
                begin = at + 1;
                done = true;
                break;
            }
        }
    }
    if (!done && floor > 0) {
        // Too much text for one answer: start at the first line boundary within the budget.
        const std::string probe =
            readRange(fd, floor, std::min<size_t>(kBlock, size_t(end - floor)));
        const size_t nl = probe.find('\n');
        begin = nl == std::string::npos ? floor : floor + off_t(nl) + 1;
    }
    startOffset = begin;
    return readRange(fd, begin, static_cast<size_t>(end - begin));
}

std::string readRange(int fd, off_t offset, size_t maxBytes) {
    // Allocate what is there to read, not the whole budget: most reads are a few lines.
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        maxBytes = st.st_size > offset ? std::min(maxBytes, size_t(st.st_size - offset)) : 0;
    if (maxBytes == 0)
        return {};
    std::string out(maxBytes, '\0');
    const ssize_t n = preadFully(fd, out.data(), maxBytes, offset);
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return out;
}

LogFollower::LogFollower(std::string path, int fd, off_t offset, bool stripAnsi)
    : m_path(std::move(path))
    , m_fd(fd)
    , m_offset(offset)
    , m_stripAnsi(stripAnsi) {}

LogFollower::~LogFollower() {
    if (m_fd >= 0)
        ::close(m_fd);
}

namespace {

// Where a follower's file stands in one listing of its directory.
struct Successor {
    bool oursListed = false;
    std::string path; // the file written after ours, if listed
};

// s6-log renames `current` to `previous`, then to @<tai64n>.s (or .u): names that sort in
// writing order. The file written after ours is the next archive, or `previous`.
Successor successorIn(const std::string &dir, ino_t inode, dev_t device) {
    std::vector<std::string> archives;
    if (DIR *d = ::opendir(dir.c_str())) {
        while (const dirent *e = ::readdir(d))
            if (e->d_name[0] == '@')
                archives.emplace_back(e->d_name);
        ::closedir(d);
    }
    std::sort(archives.begin(), archives.end());
    archives.emplace_back("previous");
    Successor found;
    for (const auto &name : archives) {
        struct stat st {};
        const std::string path = dir + '/' + name;
        if (::stat(path.c_str(), &st) != 0)
            continue;
        // s6-log archives by link(previous, @….s) then unlink(previous): for a
        // moment our file has two names, and the second is not a later file.
        const bool ours = st.st_ino == inode && st.st_dev == device;
        if (found.oursListed && !ours) {
            found.path = path;
            return found;
        }
        found.oursListed = found.oursListed || ours;
    }
    return found;
}

} // namespace

std::string LogFollower::nextFileAfter(ino_t inode, dev_t device) const {
    const size_t slash = m_path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : m_path.substr(0, slash);
    const Successor first = successorIn(dir, inode, device);
    if (!first.path.empty())
        return first.path;
    // Nothing listed after ours. readdir does not promise entries linked or unlinked while it
    // runs, so a file being archived (link to @….s, unlink `previous`) may have shown under
    // neither name. `previous`, looked up by itself, is either that file or already gone;
    // once it is gone its archive name was linked before, and a new listing shows it.
    const std::string previous = dir + "/previous";
    struct stat st {};
    if (::stat(previous.c_str(), &st) == 0 && !(st.st_ino == inode && st.st_dev == device))
        return previous;
    const Successor second = successorIn(dir, inode, device);
    if (!second.path.empty())
        return second.path;
    // Ours not listed either time: say so rather than skip to `current` over the files in
    // between. Listed, with nothing after it: `current` is next.
    return first.oursListed || second.oursListed ? m_path : std::string();
}

std::string LogFollower::poll(size_t maxBytes) {
    std::string fresh;
    for (int files = 0; files < 64 && fresh.size() < maxBytes; ++files) {
        struct stat mine {};
        if (m_fd >= 0) {
            const std::string data = readRange(m_fd, m_offset, maxBytes - fresh.size());
            m_offset += off_t(data.size());
            fresh += data;
            if (fresh.size() >= maxBytes || ::fstat(m_fd, &mine) != 0)
                break;
        }
        // At the end of our file: is it still `current`?
        struct stat now {};
        if (::stat(m_path.c_str(), &now) != 0)
            break; // between a rotation's rename and the new `current`
        if (m_fd >= 0 && mine.st_ino == now.st_ino && mine.st_dev == now.st_dev) {
            if (now.st_size < m_offset)
                m_offset = 0; // truncated in place
            break;
        }
        if (m_fd >= 0) {
            // Renamed away. s6-log may have written more lines between our read and its
            // rename, and writes nothing to the file after it: read those now.
            const std::string rest = readRange(m_fd, m_offset, maxBytes - fresh.size());
            m_offset += off_t(rest.size());
            fresh += rest;
            if (fresh.size() >= maxBytes)
                break;
        }
        // `current` is opened before the directory is listed: a file written between ours and
        // the one opened has been renamed away by then, so the listing shows it. Opened after,
        // `current` could already be the file after that one.
        const int current = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
        std::string next = m_fd >= 0 ? nextFileAfter(mine.st_ino, mine.st_dev) : m_path;
        if (next.empty() && mine.st_nlink > 0) {
            if (current >= 0)
                ::close(current);
            continue; // listed mid-rotation: drain and list again
        }
        int fd = current;
        if (!next.empty() && next != m_path) {
            if (current >= 0)
                ::close(current);
            fd = ::open(next.c_str(), O_RDONLY | O_CLOEXEC);
        }
        // Empty: ours was pruned, nothing after it can be found by it, `current` goes on.
        if (fd < 0 && next == m_path)
            break; // between a rotation's rename and the new `current`
        if (fd < 0)
            continue; // renamed again since it was listed: list again
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
        m_offset = 0;
    }
    m_partial += fresh;
    size_t lastNewline = m_partial.rfind('\n');
    if (lastNewline == std::string::npos) {
        if (m_partial.size() < kMaxLogBytesPerAnswer)
            return {};
        lastNewline = m_partial.size() - 1; // a runaway line goes out in pieces
    }
    std::string lines = m_partial.substr(0, lastNewline + 1);
    m_partial.erase(0, lastNewline + 1);
    return m_stripAnsi ? stripAnsi(lines) : lines;
}

} // namespace agent

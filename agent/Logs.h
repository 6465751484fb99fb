#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace agent {

inline constexpr size_t kMaxLogBytesPerAnswer = 4 * 1024 * 1024;

// Removes ANSI escape sequences (CSI, OSC, two-byte ESC sequences).
std::string stripAnsi(std::string_view text);

// The last `lines` lines of the open file of `size` bytes, read backwards from
// its end in blocks, never more than `maxBytes`. A final line without '\n'
// counts as a line unless `completeLinesOnly`. `startOffset` receives the file
// offset where the returned text begins.
std::string tailLines(int fd, off_t size, size_t lines, size_t maxBytes, bool completeLinesOnly,
                      off_t &startOffset);

// Up to `maxBytes` from `offset`; fewer at the end of the file.
std::string readRange(int fd, off_t offset, size_t maxBytes);

// Follows <logdir>/<service>/current like `tail -F` while s6-log rotates it
// (rename to `previous`, then @timestamp.s, new `current`): the old file is
// drained to its end, then every archive written after it, then the new
// `current`, so no line is lost or repeated even across several rotations
// between two polls. Only complete lines are returned.
class LogFollower final {
public:
    LogFollower(std::string path, int fd, off_t offset, bool stripAnsi);
    ~LogFollower();
    LogFollower(const LogFollower &) = delete;
    LogFollower &operator=(const LogFollower &) = delete;

    // New complete lines since the last call (at most about maxBytes).
    std::string poll(size_t maxBytes);

private:
    std::string nextFileAfter(ino_t inode, dev_t device) const;

    std::string m_path;
    int m_fd;
    off_t m_offset;
    bool m_stripAnsi;
    std::string m_partial;
};

} // namespace agent

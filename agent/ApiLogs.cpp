#include "Api.h"

#include "Json.h"
#include "LogStream.h"
#include "Logs.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agent {

namespace {

constexpr uint64_t kMaxTailLines = 100000;

std::optional<uint64_t> parseCount(const std::string &text, uint64_t max) {
    if (text.empty() || text.size() > 19)
        return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    if (value > max)
        return std::nullopt;
    return value;
}

std::optional<bool> parseFlag(const std::map<std::string, std::string> &query, const char *key) {
    const auto it = query.find(key);
    if (it == query.end())
        return false;
    if (it->second == "true" || it->second == "1")
        return true;
    if (it->second == "false" || it->second == "0")
        return false;
    return std::nullopt;
}

} // namespace

Response Api::logs(const std::string &name, const std::map<std::string, std::string> &query) const {
    uint64_t tail = 100;
    if (const auto it = query.find("tail"); it != query.end()) {
        const auto parsed = parseCount(it->second, kMaxTailLines);
        if (!parsed)
            return errorResponse(400, "tail must be a whole number from 0 to 100000.");
        tail = *parsed;
    }
    const auto strip = parseFlag(query, "strip_ansi");
    const auto follow = parseFlag(query, "follow");
    if (!strip || !follow)
        return errorResponse(400, "strip_ansi and follow must be true or false.");
    std::optional<uint64_t> cursor;
    if (const auto it = query.find("cursor"); it != query.end()) {
        cursor = parseCount(it->second, uint64_t(INT64_MAX));
        if (!cursor)
            return errorResponse(400, "cursor must be a byte offset (a whole number).");
    }
    if (!m_services.exists(name))
        return errorResponse(404, "Service " + name + " does not exist.");

    const std::string path = m_services.logPath(name);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errorResponse(404, "Service " + name + " has no log file at " + path + ".");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return errorResponse(404, "Service " + name + " has no log file at " + path + ".");
    }

    if (*follow) {
        off_t start = 0;
        std::string first = tailLines(fd, st.st_size, tail, kMaxLogBytesPerAnswer, true, start);
        Response r;
        r.contentType = "text/plain; charset=utf-8";
        r.headers.emplace_back("X-Log-Path", path);
        r.body = *strip ? stripAnsi(first) : first;
        r.stream = std::make_shared<LogStream>(m_loop, m_inotify, path, fd,
                                               start + off_t(first.size()), *strip);
        return r;
    }

    std::string text;
    std::string body = "{\"service\":";
    appendJsonString(body, name);
    if (cursor) {
        // A cursor past the end means the file was rotated since: start over.
        const off_t from = off_t(*cursor) > st.st_size ? 0 : off_t(*cursor);
        text = readRange(fd, from, kMaxLogBytesPerAnswer);
        ::close(fd);
        const uint64_t next = uint64_t(from) + text.size();
        body += ",\"logs\":";
        appendJsonString(body, *strip ? stripAnsi(text) : text);
        body += ",\"cursor\":" + std::to_string(next);
        body += ",\"log_path\":";
        appendJsonString(body, path);
    } else {
        off_t start = 0;
        text = tailLines(fd, st.st_size, tail, kMaxLogBytesPerAnswer, false, start);
        ::close(fd);
        body += ",\"logs\":";
        appendJsonString(body, *strip ? stripAnsi(text) : text);
        body += ",\"tail\":" + std::to_string(tail);
        body += ",\"log_path\":";
        appendJsonString(body, path);
        // Where the text ends: a reader goes on from here by cursor, after the original's keys.
        body += ",\"cursor\":" + std::to_string(uint64_t(start) + text.size());
    }
    body += '}';
    return jsonResponse(200, std::move(body));
}

Response Api::clearLogs(const std::string &name) const {
    if (!m_services.exists(name))
        return errorResponse(404, "Service " + name + " does not exist.");
    const std::string path = m_services.logPath(name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return errorResponse(404, "Service " + name + " has no log file at " + path + ".");
    if (::truncate(path.c_str(), 0) != 0)
        return errorResponse(500, "Could not clear the log of " + name + ": " +
                                      std::strerror(errno) + ".");
    std::string body = "{\"service\":";
    appendJsonString(body, name);
    body += ",\"message\":\"Logs cleared successfully\",\"log_path\":";
    appendJsonString(body, path);
    body += '}';
    return jsonResponse(200, std::move(body));
}

} // namespace agent

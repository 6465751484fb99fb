#pragma once

#include "ChildRunner.h"
#include "EventLoop.h"
#include "Http.h"
#include "RequestParser.h"
#include "Services.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace agent {

class EventHub;
class Inotify;

// The agent's routes (agent-api.md). Each handler validates its input, acts on
// the s6 files (or a child process for s6-rc), and calls `reply` exactly once,
// right away or later from the event loop.
class Api final {
public:
    using Reply = std::function<void(Response)>;

    Api(EventLoop &loop, Services &services, ChildRunner &children, SvstatDialect dialect,
        std::string version);
    Api(const Api &) = delete;
    Api &operator=(const Api &) = delete;

    void handle(const Request &request, Reply reply);
    void setNotRunningText(NotRunningText text) { m_notRunning = std::move(text); }
    // Where GET /events subscribers go; without it the route is 404.
    void setEventHub(EventHub *hub) { m_events = hub; }
    // Wakes log followers; without it they poll slowly.
    void setInotify(Inotify *inotify) { m_inotify = inotify; }

    // The Status object for a reading, as GET /services/{name}/status gives it;
    // nullopt when the status file could not be read (then statusAsync() asks s6-svstat).
    std::optional<std::string> statusObject(const std::string &name,
                                            const Services::Reading &reading) const;
    void statusAsync(const std::string &name, std::function<void(std::string)> done);

private:
    Response root() const;
    Response listServices() const;
    // Status objects for `names`, as {"statuses":[...]} or one bare object.
    void statuses(std::vector<std::string> names, bool asList, Reply reply);
    std::optional<std::string> statusObject(const std::string &name) const;
    Response logs(const std::string &name, const std::map<std::string, std::string> &query) const;
    // DELETE .../logs: empties `current` in place (s6-log appends, so it goes on writing
    // from the new start, and followers start over from there).
    Response clearLogs(const std::string &name) const;
    // GET .../deaths: supervise/death_tally, newest first.
    Response deaths(const std::string &name) const;
    Response getRun(const std::string &name) const;
    Response putRun(const std::string &name, const std::string &body) const;
    void control(const std::string &name, const std::string &body, Reply reply);
    void controlClassic(const std::string &name, const std::string &action, Reply reply);
    void controlS6rc(const std::string &name, const std::string &action, Reply reply);
    // Calls `confirmed(true)` once the status shows the change, false when it did not within
    // the attempts (or the status could not be read).
    void awaitSupervisor(const std::string &name, const std::string &action, uint64_t oldPid,
                         int attemptsLeft, std::function<void(bool)> confirmed);

    EventLoop &m_loop;
    Services &m_services;
    ChildRunner &m_children;
    SvstatDialect m_dialect;
    std::string m_version;
    NotRunningText m_notRunning;
    EventHub *m_events = nullptr;
    Inotify *m_inotify = nullptr;

    // The last Status object written for each service, with what it was written from: the
    // reading and every number in it that moves with the clock. While neither changed, the
    // object is the same text again, and is not formatted again.
    struct Clocked {
        uint64_t up = 0, ready = 0;
        int64_t since = 0;
        size_t minute = 0, hour = 0;
        bool operator==(const Clocked &) const = default;
    };
    struct Written {
        Services::Reading reading;
        Clocked clocked;
        std::string object;
    };
    mutable std::unordered_map<std::string, Written> m_written;
};

// The answer to a control request that was sent: {"name","action","result","confirmed"},
// result "ok" when the supervisor was seen acting on it, "unconfirmed" when not (yet).
Response controlOk(const std::string &name, const std::string &action, bool confirmed = true);

} // namespace agent

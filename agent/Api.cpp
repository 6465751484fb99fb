#include "Api.h"

#include "EventHub.h"
#include "Json.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <memory>

namespace agent {

namespace {

constexpr size_t kMaxWritten = 4096;

int64_t monotonicNs() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string jsonStringValue(std::string_view s) {
    std::string out;
    appendJsonString(out, s);
    return out;
}

// The Status object with the death fields and `failed` after all the others
// (clients of the old agent read the keys they know by position).
std::string withDeaths(std::string object, const std::optional<std::vector<Death>> &deaths,
                       bool failed, const Tai64n &now) {
    object.pop_back(); // the closing brace
    object += deathFieldsJson(deaths ? &*deaths : nullptr, now);
    object += failed ? ",\"failed\":true}" : ",\"failed\":false}";
    return object;
}

Response methodNotAllowed(const char *allow) {
    Response r = errorResponse(405, std::string("Method not allowed; use ") + allow + '.');
    r.headers.emplace_back("Allow", allow);
    return r;
}

bool allowed(const std::string &method, std::initializer_list<const char *> methods) {
    for (const char *m : methods)
        if (method == m)
            return true;
    return false;
}

} // namespace

Api::Api(EventLoop &loop, Services &services, ChildRunner &children, SvstatDialect dialect,
         std::string version)
    : m_loop(loop)
    , m_services(services)
    , m_children(children)
    , m_dialect(dialect)
    , m_version(std::move(version)) {}

void Api::handle(const Request &request, Reply reply) {
    m_services.refresh();
    const auto target = parseTarget(request.url);
    if (!target)
        return reply(errorResponse(400, "The request target is not a valid path."));
    const auto &seg = target->segments;
    const std::string &method = request.method;

    if (seg.empty()) {
        if (!allowed(method, {"GET"}))
            return reply(methodNotAllowed("GET"));
        return reply(root());
    }
    if (seg.size() == 1 && seg[0] == "events" && m_events) {
        if (!allowed(method, {"GET"}))
            return reply(methodNotAllowed("GET"));
        return reply(m_events->subscribe());
    }
    if (seg[0] != "services" || seg.size() > 3)
        return reply(errorResponse(404, "No such route: " + std::string(request.url) + "."));
    if (seg.size() == 1) {
        if (!allowed(method, {"GET"}))
            return reply(methodNotAllowed("GET"));
        return reply(listServices());
    }
    const std::string &name = seg[1];
    if (seg.size() == 2 && name == "status" && method == "GET")
        return statuses(m_services.list(), true, std::move(reply));
    // Every name is checked before any file is touched.
    if (!isValidServiceName(name))
        return reply(errorResponse(400,
                                   "Invalid service name: it must match "
                                   "[A-Za-z0-9][A-Za-z0-9_.@-]* and must not contain \"..\"."));
    if (seg.size() == 2) {
        if (!allowed(method, {"POST"}))
            return reply(methodNotAllowed(name == "status" ? "GET, POST" : "POST"));
        return control(name, request.body, std::move(reply));
    }
    const std::string &leaf = seg[2];
    if (leaf == "status") {
        if (!allowed(method, {"GET"}))
            return reply(methodNotAllowed("GET"));
        if (!m_services.exists(name))
            return reply(errorResponse(404, "Service " + name + " does not exist."));
        return statuses({name}, false, std::move(reply));
    }
    if (leaf == "logs") {
        if (method == "GET")
            return reply(logs(name, target->query));
        if (method == "DELETE")
            return reply(clearLogs(name));
        return reply(methodNotAllowed("GET, DELETE"));
    }
    if (leaf == "deaths") {
        if (!allowed(method, {"GET"}))
            return reply(methodNotAllowed("GET"));
        if (!m_services.exists(name))
            return reply(errorResponse(404, "Service " + name + " does not exist."));
        return reply(deaths(name));
    }
    if (leaf == "run") {
        if (method == "GET")
            return reply(getRun(name));
        if (method == "PUT")
            return reply(putRun(name, request.body));
        return reply(methodNotAllowed("GET, PUT"));
    }
    return reply(errorResponse(404, "No such route: " + std::string(request.url) + "."));
}

Response Api::root() const {
    return jsonResponse(
        200, "{\"message\":\"s6 Agent API\",\"version\":" + jsonStringValue(m_version) + "}");
}

Response Api::listServices() const {
    std::string body = "{\"services\":[";
    bool first = true;
    for (const auto &name : m_services.list()) {
        if (!first)
            body += ',';
        first = false;
        appendJsonString(body, name);
    }
    body += "]}";
    return jsonResponse(200, std::move(body));
}

std::optional<std::string> Api::statusObject(const std::string &name) const {
    // The reading /events keeps is as new as the files while its watcher vouches
    // for it, and costs no system call; the files are read otherwise.
    if (m_events)
        if (const Services::Reading *known = m_events->currentReading(name))
            if (auto object = statusObject(name, *known))
                return object;
    return statusObject(name, m_services.read(name));
}

std::optional<std::string> Api::statusObject(const std::string &name,
                                             const Services::Reading &reading) const {
    const Tai64n now = taiNow();
    Clocked clocked;
    if (reading.kind == Services::StatusRead::Ok) {
        clocked.up = secondsBetween(reading.status.stamp, now);
        clocked.ready = secondsBetween(reading.status.readyStamp, now);
        // `since` is the stamp, or now for a stamp in the future: whole seconds either way.
        clocked.since = std::min(unixSeconds(reading.status.stamp), unixSeconds(now));
    }
    if (reading.deaths) {
        clocked.minute = deathsLastMinute(*reading.deaths, now);
        clocked.hour = deathsLastHour(*reading.deaths, now);
    }
    const auto known = m_written.find(name);
    if (known != m_written.end() && known->second.clocked == clocked &&
        known->second.reading == reading)
        return known->second.object;
    std::string object;
    switch (reading.kind) {
    case Services::StatusRead::Ok:
        object = statusJson(name, reading.status, reading.normallyUp, now, m_dialect);
        break;
    case Services::StatusRead::NotSupervised:
        object = unavailableStatusJson(
            name, m_notRunning.before + m_services.serviceDir(name) + m_notRunning.after,
            reading.normallyUp);
        break;
    case Services::StatusRead::Unreadable:
        return std::nullopt;
    }
    object = withDeaths(std::move(object), reading.deaths, reading.failed, now);
    if (m_written.size() > kMaxWritten)
        m_written.clear(); // services come and go: never more than this many kept
    m_written[name] = Written{reading, clocked, object};
    return object;
}

void Api::statusAsync(const std::string &name, std::function<void(std::string)> done) {
    statuses({name}, false, [done = std::move(done)](Response r) { done(std::move(r.body)); });
}

void Api::statuses(std::vector<std::string> names, bool asList, Reply reply) {
    struct Gather {
        std::vector<std::string> parts;
        size_t pending = 0;
        bool asList = false;
        std::string asOf;
        Reply reply;
        void finish() {
            std::string body = asList ? "{\"statuses\":[" : "";
            for (size_t i = 0; i < parts.size(); ++i)
                body += (i ? "," : "") + parts[i];
            if (asList)
                body += "]}";
            Response r = jsonResponse(200, std::move(body));
            r.headers.emplace_back(kStatusAsOfHeader, std::move(asOf));
            reply(std::move(r));
        }
    };
    auto gather = std::make_shared<Gather>();
    gather->parts.resize(names.size());
    gather->asList = asList;
    // Taken before anything is read: every change s6 recorded before this moment is in the
    // answer (inotify has queued it, or the files show it), so a client may hand the answer to
    // whoever asked it before then.
    gather->asOf = std::to_string(monotonicNs());
    gather->reply = std::move(reply);
    std::vector<size_t> fallback;
    if (m_events)
        m_events->sync(); // what changed before this request is known before it is answered
    for (size_t i = 0; i < names.size(); ++i) {
        if (auto object = statusObject(names[i]))
            gather->parts[i] = std::move(*object);
        else
            fallback.push_back(i);
    }
    // A status file this agent cannot read or decode: let s6-svstat itself say
    // what it sees, as a child process so the loop keeps serving everyone else.
    for (size_t i : fallback) {
        const std::string name = names[i];
        const bool normallyUp = m_services.normallyUp(name);
        std::optional<std::vector<Death>> deaths(std::in_place);
        if (m_services.readDeaths(name, *deaths) != Services::DeathsRead::Ok)
            deaths.reset();
        const bool started = m_children.spawn(
            {"s6-svstat", m_services.serviceDir(name)},
            [gather, i, name, normallyUp, deaths](const ChildRunner::Result &result) {
                std::string raw = result.output;
                while (!raw.empty() && raw.back() == '\n')
                    raw.pop_back();
                gather->parts[i] = withDeaths(unavailableStatusJson(name, raw, normallyUp), deaths,
                                              false, taiNow());
                if (--gather->pending == 0)
                    gather->finish();
            },
            10);
        if (started)
            ++gather->pending;
        else
            gather->parts[i] =
                withDeaths(unavailableStatusJson(name, "s6-svstat could not be run", normallyUp),
                           deaths, false, taiNow());
    }
    if (gather->pending == 0)
        gather->finish();
}

Response controlOk(const std::string &name, const std::string &action, bool confirmed) {
    return jsonResponse(200, "{\"name\":" + jsonStringValue(name) +
                                 ",\"action\":" + jsonStringValue(action) +
                                 ",\"result\":" + (confirmed ? "\"ok\"" : "\"unconfirmed\"") + "}");
}

Response Api::getRun(const std::string &name) const {
    const std::string path = m_services.runPath(name);
    const auto content = readSmallFile(path, 1024 * 1024);
    if (!content)
        return errorResponse(404,
                             "Service " + name + " has no readable run script at " + path + ".");
    return jsonResponse(200, "{\"service\":" + jsonStringValue(name) +
                                 ",\"path\":" + jsonStringValue(path) +
                                 ",\"content\":" + jsonStringValue(*content) + "}");
}

Response Api::putRun(const std::string &name, const std::string &body) const {
    JsonObject object;
    std::string error;
    if (!parseJsonObject(body, object, error))
        return errorResponse(422, "Invalid JSON body: " + error);
    const auto content = object.strings.find("content");
    if (content == object.strings.end())
        return errorResponse(422, "The body needs a string member \"content\".");
    // As the original: an empty (or blank) script is refused, and nothing is written.
    if (content->second.find_first_not_of(" \t\r\n\f\v") == std::string::npos)
        return errorResponse(400, "Content must not be empty");
    const std::string path = m_services.runPath(name);
    if (!readSmallFile(path, 1024 * 1024))
        return errorResponse(404, "Service " + name + " has no run script at " + path + ".");
    const std::string failure = replaceFileAtomically(path, content->second);
    if (!failure.empty())
        return errorResponse(500,
                             "Could not replace the run script of " + name + ": " + failure + ".");
    return getRun(name);
}

} // namespace agent

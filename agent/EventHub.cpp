#include "EventHub.h"

#include "Api.h"
#include "EventStream.h"
#include "Json.h"

#include <algorithm>
#include <memory>
#include <set>

namespace agent {

namespace {

std::string nameObject(const std::string &name) {
    std::string data = "{\"name\":";
    appendJsonString(data, name);
    data += '}';
    return data;
}

} // namespace

EventHub::EventHub(EventLoop &loop, Inotify &inotify, Services &services, Api &api, Limits limits)
    : m_loop(loop)
    , m_inotify(inotify)
    , m_services(services)
    , m_api(api)
    , m_limits(limits)
    , m_watcher(loop, inotify, services.scanDir(),
                [this](const ServiceWatcher::Changes &changes) { onChanges(changes); }) {}

EventHub::~EventHub() = default;

Response EventHub::subscribe() {
    if (m_subscribers.size() >= m_limits.maxSubscribers)
        return errorResponse(503, "Too many subscribers to /events.");
    if (!watch())
        return errorResponse(500,
                             "The scan directory " + m_services.scanDir() + " cannot be watched.");
    // Catch up first, so that those already subscribed hear of a change before
    // the newcomer's snapshot shows it.
    relist();
    for (const auto &[name, known] : m_known)
        update(name, false);

    auto stream = std::make_shared<EventStream>(m_loop, m_limits.maxBacklog, m_limits.heartbeatMs,
                                                [this](EventStream *gone) { unsubscribe(gone); });
    m_subscribers.push_back(stream.get());
    for (const auto &[name, known] : m_known) {
        // Rendered now, so the seconds are those of this moment.
        if (const auto json = m_api.statusObject(name, known.reading))
            stream->send("service", *json);
        else if (!known.lastJson.empty())
            stream->send("service", known.lastJson);
        // else s6-svstat is being asked; its answer goes to every subscriber.
    }
    Response r;
    r.contentType = "text/event-stream";
    r.stream = std::move(stream);
    return r;
}

void EventHub::sync() {
    if (watch())
        m_inotify.drain();
}

bool EventHub::watch() {
    if (m_watcher.isActive())
        return true;
    if (!m_watcher.start())
        return false; // answers come from the files; the next request tries again
    m_known.clear();
    relist(); // every service read once, after its watches are in place
    return true;
}

const Services::Reading *EventHub::currentReading(const std::string &name) const {
    if (!m_watcher.isSettled(name))
        return nullptr;
    const auto it = m_known.find(name);
    return it == m_known.end() ? nullptr : &it->second.reading;
}

void EventHub::unsubscribe(EventStream *stream) {
    m_subscribers.erase(std::remove(m_subscribers.begin(), m_subscribers.end(), stream),
                        m_subscribers.end());
}

void EventHub::onChanges(const ServiceWatcher::Changes &changes) {
    m_services.refresh();
    if (changes.relist)
        relist();
    if (changes.everything) {
        for (const auto &[name, known] : m_known)
            update(name, false);
        return;
    }
    for (const auto &name : changes.touched)
        update(name, false);
}

void EventHub::relist() {
    m_services.invalidateList();
    const std::vector<std::string> names = m_services.list();
    const std::set<std::string> listed(names.begin(), names.end());
    for (auto it = m_known.begin(); it != m_known.end();) {
        if (listed.count(it->first)) {
            ++it;
            continue;
        }
        const std::string name = it->first;
        it = m_known.erase(it);
        broadcast("service_removed", nameObject(name));
    }
    for (const auto &name : names) {
        if (m_known.count(name))
            continue;
        m_known[name];
        broadcast("service_added", nameObject(name));
        update(name, true);
    }
}

void EventHub::update(const std::string &name, bool force) {
    const auto it = m_known.find(name);
    if (it == m_known.end())
        return;
    Known &known = it->second;
    // What s6 recorded, not the rendered text: the seconds in it change by themselves.
    const Services::Reading reading = m_services.read(name, true);
    if (!force && reading == known.reading)
        return;
    known.reading = reading;
    const uint64_t generation = known.generation = ++m_generation;
    if (const auto json = m_api.statusObject(name, reading)) {
        known.lastJson = *json;
        return broadcast("service", *json);
    }
    known.lastJson.clear();
    m_api.statusAsync(name, [this, name, generation](std::string json) {
        const auto again = m_known.find(name);
        if (again == m_known.end() || again->second.generation != generation)
            return; // gone, or overtaken by a newer reading
        again->second.lastJson = json;
        broadcast("service", json);
    });
}

void EventHub::broadcast(const char *event, const std::string &data) {
    for (EventStream *stream : m_subscribers)
        stream->send(event, data);
}

} // namespace agent

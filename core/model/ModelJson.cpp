// The REST shapes of the model values (rest-api.md) and the agent's Status (agent-api.md): one
// field list per type, which its writer follows in order and its reader checks against.
#include "ModelJson.h"

#include "model/JsonFields.h"

#include <QJsonArray>

namespace sm {

using namespace fields;

namespace {

// Where the service lives (REST only), the agent's Status (the old API's fields), then the
// extended fields of this project's agent: all seven (null when unknown) or, from an older
// agent, none.
constexpr auto kStatusPlace = std::tuple{
    field("container", &ServiceStatus::container),
    field("service", &ServiceStatus::service),
    field("service_label", &ServiceStatus::serviceLabel),
};
constexpr auto kAgentStatus = std::tuple{
    field("name", &ServiceStatus::name),
    field("raw", &ServiceStatus::raw),
    field("is_up", &ServiceStatus::isUp),
    field("pid", &ServiceStatus::pid),
    field("uptime_seconds", &ServiceStatus::uptimeSeconds),
};
constexpr auto kExtendedStatus = std::tuple{
    field("normally_up", &ServiceStatus::normallyUp),
    field("want_up", &ServiceStatus::wantUp),
    field("ready", &ServiceStatus::ready),
    field("paused", &ServiceStatus::paused),
    field("exit_code", &ServiceStatus::exitCode),
    field("signal", &ServiceStatus::signal),
    field("since", &ServiceStatus::since),
};

// One death of the tally: the agent's object and the REST one alike.
constexpr auto kServiceDeath = std::tuple{
    field("time", &ServiceDeath::time),
    field("exit_code", &ServiceDeath::exitCode),
    field("signal", &ServiceDeath::signal),
};
using OptionalDeath = std::optional<ServiceDeath>;
void writeOptionalDeath(JsonObjectWriter &w, const char *key, const OptionalDeath &death) {
    if (death)
        w.addRaw(key, writeObject(*death, kServiceDeath));
    else
        w.addRaw(key, "null");
}
bool readOptionalDeath(const QJsonValue &value, OptionalDeath &death) {
    death.reset();
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isObject())
        return false;
    auto read = readObject<ServiceDeath>(value.toObject(), "death", kServiceDeath);
    if (read.ok())
        death = std::move(read.value());
    return read.ok();
}
using DeathList = QList<ServiceDeath>;
void writeDeathList(JsonObjectWriter &w, const char *key, const DeathList &deaths) {
    QList<QByteArray> items;
    items.reserve(deaths.size());
    for (const ServiceDeath &death : deaths)
        items.append(writeObject(death, kServiceDeath));
    w.addRaw(key, jsonArray(items));
}
bool readDeathList(const QJsonValue &value, DeathList &deaths) {
    deaths.clear();
    if (!value.isArray())
        return false;
    for (const QJsonValue &item : value.toArray()) {
        auto read = readObject<ServiceDeath>(item.toObject(), "death", kServiceDeath);
        if (!item.isObject() || !read.ok())
            return false;
        deaths.append(std::move(read.value()));
    }
    return true;
}

// After the extended fields, what this project's agent reads from s6's death tally, in its
// order: all four (null when unknown) when the agent sent any of them, else none.
constexpr auto kDeathStatus = std::tuple{
    field("deaths_last_minute", &ServiceStatus::deathsLastMinute),
    custom("last_death", &ServiceStatus::lastDeath, writeOptionalDeath, readOptionalDeath,
           "a death object or null"),
    field("deaths_last_hour", &ServiceStatus::deathsLastHour),
    field("failed", &ServiceStatus::permanentFailure),
};

// The agent's answer has no container: that key may be absent when read.
constexpr auto kServiceDeaths = std::tuple{
    omitted("container", &ServiceDeaths::container),
    field("service", &ServiceDeaths::service),
    custom("deaths", &ServiceDeaths::deaths, writeDeathList, readDeathList, "a list of deaths"),
};

constexpr auto kContainerInfo = std::tuple{
    field("name", &ContainerInfo::name),
    field("socket_path", &ContainerInfo::socketPath),
};
constexpr auto kServiceInfo = std::tuple{
    field("id", &ServiceInfo::id),
    field("label", &ServiceInfo::label),
};
constexpr auto kControlResult = std::tuple{
    field("container", &ControlResult::container),
    field("service", &ControlResult::service),
    field("action", &ControlResult::action),
    optionalWords("result", &ControlResult::confirmed, "ok", "unconfirmed"),
};
// The writer orders these by how the text was asked for (see toJson).
constexpr auto kLogChunk = std::tuple{
    field("container", &LogChunk::container), field("service", &LogChunk::service),
    field("logs", &LogChunk::logs),           omitted("tail", &LogChunk::tail),
    omitted("cursor", &LogChunk::cursor),     field("log_path", &LogChunk::logPath),
};
constexpr auto kRunScript = std::tuple{
    field("container", &RunScript::container),
    field("service", &RunScript::service),
    field("path", &RunScript::path),
    field("content", &RunScript::content),
};
constexpr auto kLogsCleared = std::tuple{
    field("container", &LogsCleared::container),
    field("service", &LogsCleared::service),
    field("message", &LogsCleared::message),
    field("log_path", &LogsCleared::logPath),
};
constexpr auto kDockerContainer = std::tuple{
    field("id", &DockerContainer::id),           field("name", &DockerContainer::name),
    field("status", &DockerContainer::status),   field("image", &DockerContainer::image),
    field("created", &DockerContainer::created),
};
constexpr auto kDockerStatus = std::tuple{
    field("id", &DockerStatus::id),
    field("name", &DockerStatus::name),
    field("status", &DockerStatus::status),
    field("state", &DockerStatus::state),
    field("running", &DockerStatus::running),
    field("restarting", &DockerStatus::restarting),
    field("paused", &DockerStatus::paused),
    field("image", &DockerStatus::image),
    field("created", &DockerStatus::created),
    field("started_at", &DockerStatus::startedAt),
    field("finished_at", &DockerStatus::finishedAt),
    field("exit_code", &DockerStatus::exitCode),
};
constexpr auto kDockerControlResult = std::tuple{
    field("name", &DockerControlResult::name),
    field("action", &DockerControlResult::action),
    constant("result", "ok"),
};
constexpr auto kDockerLogs = std::tuple{
    field("container", &DockerLogs::container),
    field("logs", &DockerLogs::logs),
    field("tail", &DockerLogs::tail),
};
constexpr auto kDockerEvent = std::tuple{
    field("container", &DockerEvent::container),
    field("action", &DockerEvent::action),
    field("time", &DockerEvent::time),
};

// Health's agents: {"<container>": "reachable"|"unreachable"} in config order.
using Agents = decltype(Health::agents);
void writeAgents(JsonObjectWriter &w, const char *key, const Agents &agents) {
    JsonObjectWriter map;
    for (const auto &[name, reachable] : agents)
        map.add(name.toUtf8().constData(), reachable ? "reachable" : "unreachable");
    w.addRaw(key, std::move(map).toJson());
}
bool readAgents(const QJsonValue &value, Agents &agents) {
    // QJsonObject sorts keys, so the order is by name here, not config order.
    const QJsonObject map = value.toObject();
    for (auto it = map.begin(); it != map.end(); ++it)
        agents.append({it.key(), it.value().toString() == QLatin1String("reachable")});
    return value.isObject();
}
// Health's history: {"state": "ok"|"failing"|"opening", "path", "error", "dropped"}, left out
// where no store is kept.
using HistoryState = decltype(Health::history);
void writeHistoryState(JsonObjectWriter &w, const char *key, const HistoryState &history) {
    if (!history)
        return;
    JsonObjectWriter o;
    o.add("state", !history->error.isEmpty() ? "failing" : history->writable ? "ok" : "opening");
    o.add("path", history->path);
    o.add("error", history->error.isEmpty() ? std::nullopt : std::optional(history->error));
    o.add("dropped", history->dropped);
    w.addRaw(key, std::move(o).toJson());
}
bool readHistoryState(const QJsonValue &value, HistoryState &history) {
    if (value.isUndefined() || value.isNull())
        return true;
    const QJsonObject o = value.toObject();
    HistoryHealth h;
    h.enabled = true;
    h.writable = o.value(QLatin1String("state")).toString() == QLatin1String("ok");
    h.path = o.value(QLatin1String("path")).toString();
    h.error = o.value(QLatin1String("error")).toString();
    h.dropped = o.value(QLatin1String("dropped")).toInteger();
    history = h;
    return value.isObject();
}
constexpr auto kHealth = std::tuple{
    constant("status", "ok"),
    custom("agents", &Health::agents, writeAgents, readAgents, "an object"),
    words("docker", &Health::dockerAvailable, "available", "unavailable"),
    omitted("warning", &Health::warning),
    custom("history", &Health::history, writeHistoryState, readHistoryState, "an object"),
};

constexpr auto kApiError = std::tuple{
    field("error", &ApiError::message),
    field("detail", &ApiError::detail),
};

// The agent-level fields, shared by the agent's Status and the REST ServiceStatus, and
// whatever else the agent sent.
Result<ServiceStatus> readStatus(FieldReader &r, const QJsonObject &o, ServiceStatus s) {
    readFields(r, s, kAgentStatus);
    readFields(r, s, kExtendedStatus);
    readFields(r, s, kDeathStatus);
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (hasKey(kDeathStatus, it.key()))
            s.deathFieldsReported = true;
        else if (!hasKey(kStatusPlace, it.key()) && !hasKey(kAgentStatus, it.key()) &&
                 !hasKey(kExtendedStatus, it.key()))
            s.otherFields.insert(it.key(), it.value());
    }
    return r.finish(std::move(s));
}

} // namespace

QByteArray toJson(const ServiceStatus &v) {
    JsonObjectWriter w;
    writeFields(w, v, kStatusPlace);
    writeFields(w, v, kAgentStatus);
    if (anySet(v, kExtendedStatus))
        writeFields(w, v, kExtendedStatus);
    if (v.deathFieldsReported || anySet(v, kDeathStatus))
        writeFields(w, v, kDeathStatus);
    for (auto it = v.otherFields.begin(); it != v.otherFields.end(); ++it)
        w.add(it.key().toUtf8().constData(), it.value());
    return std::move(w).toJson();
}

QByteArray toJson(const LogChunk &v) {
    const auto &[container, service, logs, tail, cursor, logPath] = kLogChunk;
    JsonObjectWriter w;
    write(w, v, container);
    write(w, v, service);
    write(w, v, logs);
    // By tail: the original's keys, then where the text ends. By cursor: the new cursor.
    if (v.tail) {
        write(w, v, tail);
        write(w, v, logPath);
        write(w, v, cursor);
    } else {
        write(w, v, cursor);
        write(w, v, logPath);
    }
    return std::move(w).toJson();
}

QByteArray toJson(const ApiError &v) {
    // FastAPI's own answers lead with `detail`, as the original's clients expect; ours are
    // `{"error", "detail"}`, as the original's exception handler wrote them.
    if (v.detailJson.isEmpty())
        return writeObject(v, kApiError);
    const auto &[error, detail] = kApiError;
    JsonObjectWriter w;
    w.addRaw(detail.key, v.detailJson);
    write(w, v, error);
    return std::move(w).toJson();
}

QByteArray toJson(const ContainerInfo &v) {
    return writeObject(v, kContainerInfo);
}

QByteArray toJson(const ServiceInfo &v) {
    return writeObject(v, kServiceInfo);
}

QByteArray toJson(const ControlResult &v) {
    return writeObject(v, kControlResult);
}

QByteArray toJson(const RunScript &v) {
    return writeObject(v, kRunScript);
}

QByteArray toJson(const ServiceDeath &v) {
    return writeObject(v, kServiceDeath);
}

QByteArray toJson(const ServiceDeaths &v) {
    return writeObject(v, kServiceDeaths);
}

QByteArray toJson(const LogsCleared &v) {
    return writeObject(v, kLogsCleared);
}

QByteArray toJson(const DockerContainer &v) {
    return writeObject(v, kDockerContainer);
}

QByteArray toJson(const DockerStatus &v) {
    return writeObject(v, kDockerStatus);
}

QByteArray toJson(const DockerControlResult &v) {
    return writeObject(v, kDockerControlResult);
}

QByteArray toJson(const DockerLogs &v) {
    return writeObject(v, kDockerLogs);
}

QByteArray toJson(const DockerEvent &v) {
    return writeObject(v, kDockerEvent);
}

QByteArray toJson(const Health &v) {
    return writeObject(v, kHealth);
}

Result<ServiceStatus> serviceStatusFromAgent(const QJsonObject &o) {
    FieldReader r(o, "agent status");
    return readStatus(r, o, {});
}

Result<ServiceStatus> serviceStatusFromJson(const QJsonObject &o) {
    FieldReader r(o, "service status");
    ServiceStatus s;
    readFields(r, s, kStatusPlace);
    return readStatus(r, o, std::move(s));
}

Result<ContainerInfo> containerInfoFromJson(const QJsonObject &o) {
    return readObject<ContainerInfo>(o, "container", kContainerInfo);
}

Result<ServiceInfo> serviceInfoFromJson(const QJsonObject &o) {
    return readObject<ServiceInfo>(o, "service", kServiceInfo);
}

Result<ControlResult> controlResultFromJson(const QJsonObject &o) {
    return readObject<ControlResult>(o, "control result", kControlResult);
}

Result<LogChunk> logChunkFromJson(const QJsonObject &o) {
    return readObject<LogChunk>(o, "log chunk", kLogChunk);
}

Result<ServiceDeath> serviceDeathFromJson(const QJsonObject &o) {
    return readObject<ServiceDeath>(o, "death", kServiceDeath);
}

Result<ServiceDeaths> serviceDeathsFromJson(const QJsonObject &o) {
    return readObject<ServiceDeaths>(o, "service deaths", kServiceDeaths);
}

Result<RunScript> runScriptFromJson(const QJsonObject &o) {
    return readObject<RunScript>(o, "run script", kRunScript);
}

Result<LogsCleared> logsClearedFromJson(const QJsonObject &o) {
    return readObject<LogsCleared>(o, "log clearing", kLogsCleared);
}

Result<DockerContainer> dockerContainerFromJson(const QJsonObject &o) {
    return readObject<DockerContainer>(o, "Docker container", kDockerContainer);
}

Result<DockerStatus> dockerStatusFromJson(const QJsonObject &o) {
    return readObject<DockerStatus>(o, "Docker status", kDockerStatus);
}

Result<DockerControlResult> dockerControlResultFromJson(const QJsonObject &o) {
    return readObject<DockerControlResult>(o, "Docker control result", kDockerControlResult);
}

Result<DockerLogs> dockerLogsFromJson(const QJsonObject &o) {
    return readObject<DockerLogs>(o, "Docker logs", kDockerLogs);
}

Result<DockerEvent> dockerEventFromJson(const QJsonObject &o) {
    return readObject<DockerEvent>(o, "Docker event", kDockerEvent);
}

Result<Health> healthFromJson(const QJsonObject &o) {
    return readObject<Health>(o, "health", kHealth);
}

ApiError apiErrorFromJson(int status, const QJsonObject &o) {
    // Whatever an error answer holds is better than nothing: no field is required.
    FieldReader r(o, "error");
    ApiError e;
    e.status = status;
    readFields(r, e, kApiError);
    if (e.message.isEmpty())
        e.message = QStringLiteral("HTTP status %1").arg(status);
    return e;
}

} // namespace sm

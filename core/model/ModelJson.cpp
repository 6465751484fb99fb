#include "ModelJson.h"

#include "model/JsonWriter.h"

namespace sm {

namespace {

bool hasExtendedFields(const ServiceStatus &s) {
    return s.normallyUp || s.wantUp || s.ready || s.paused || s.exitCode || s.signal || s.since;
}

} // namespace

QByteArray toJson(const ContainerInfo &v) {
    return JsonObjectWriter().add("name", v.name).add("socket_path", v.socketPath).toJson();
}

QByteArray toJson(const ServiceInfo &v) {
    return JsonObjectWriter().add("id", v.id).add("label", v.label).toJson();
}

QByteArray toJson(const ServiceStatus &v) {
    JsonObjectWriter w;
    w.add("container", v.container)
        .add("service", v.service)
        .add("service_label", v.serviceLabel)
        .add("name", v.name)
        .add("raw", v.raw)
        .add("is_up", v.isUp)
        .add("pid", v.pid)
        .add("uptime_seconds", v.uptimeSeconds);
    if (hasExtendedFields(v)) {
        w.add("normally_up", v.normallyUp)
            .add("want_up", v.wantUp)
            .add("ready", v.ready)
            .add("paused", v.paused)
            .add("exit_code", v.exitCode)
            .add("signal", v.signal)
            .add("since", v.since);
    }
    for (auto it = v.otherFields.begin(); it != v.otherFields.end(); ++it)
        w.add(it.key().toUtf8().constData(), it.value());
    return w.toJson();
}

QByteArray toJson(const ControlResult &v) {
    return JsonObjectWriter()
        .add("container", v.container)
        .add("service", v.service)
        .add("action", v.action)
        .add("result", v.confirmed ? "ok" : "unconfirmed")
        .toJson();
}

QByteArray toJson(const LogChunk &v) {
    JsonObjectWriter w;
    w.add("container", v.container).add("service", v.service).add("logs", v.logs);
    // By tail: the original's keys, then where the text ends. By cursor: the new cursor.
    if (v.tail)
        w.add("tail", *v.tail).add("log_path", v.logPath);
    if (v.cursor)
        w.add("cursor", *v.cursor);
    if (!v.tail)
        w.add("log_path", v.logPath);
    return w.toJson();
}

QByteArray toJson(const RunScript &v) {
    return JsonObjectWriter()
        .add("container", v.container)
        .add("service", v.service)
        .add("path", v.path)
        .add("content", v.content)
        .toJson();
}

QByteArray toJson(const LogsCleared &v) {
    return JsonObjectWriter()
        .add("container", v.container)
        .add("service", v.service)
        .add("message", v.message)
        .add("log_path", v.logPath)
        .toJson();
}

QByteArray toJson(const DockerContainer &v) {
    return JsonObjectWriter()
        .add("id", v.id)
        .add("name", v.name)
        .add("status", v.status)
        .add("image", v.image)
        .add("created", v.created)
        .toJson();
}

QByteArray toJson(const DockerStatus &v) {
    return JsonObjectWriter()
        .add("id", v.id)
        .add("name", v.name)
        .add("status", v.status)
        .add("state", v.state)
        .add("running", v.running)
        .add("restarting", v.restarting)
        .add("paused", v.paused)
        .add("image", v.image)
        .add("created", v.created)
        .add("started_at", v.startedAt)
        .add("finished_at", v.finishedAt)
        .add("exit_code", v.exitCode)
        .toJson();
}

QByteArray toJson(const DockerControlResult &v) {
    return JsonObjectWriter()
        .add("name", v.name)
        .add("action", v.action)
        .add("result", "ok")
        .toJson();
}

QByteArray toJson(const DockerLogs &v) {
    return JsonObjectWriter()
        .add("container", v.container)
        .add("logs", v.logs)
        .add("tail", v.tail)
        .toJson();
}

QByteArray toJson(const DockerEvent &v) {
    return JsonObjectWriter()
        .add("container", v.container)
        .add("action", v.action)
        .add("time", v.time)
        .toJson();
}

QByteArray toJson(const Health &v) {
    JsonObjectWriter agents;
    for (const auto &[name, reachable] : v.agents)
        agents.add(name.toUtf8().constData(), reachable ? "reachable" : "unreachable");
    JsonObjectWriter w;
    w.add("status", "ok")
        .addRaw("agents", agents.toJson())
        .add("docker", v.dockerAvailable ? "available" : "unavailable");
    if (!v.warning.isEmpty())
        w.add("warning", v.warning);
    return w.toJson();
}

QByteArray toJson(const ApiError &v) {
    // FastAPI's own answers lead with `detail`, as the original's clients expect; ours are
    // `{"error", "detail"}`, as the original's exception handler wrote them.
    if (!v.detailJson.isEmpty())
        return JsonObjectWriter().addRaw("detail", v.detailJson).add("error", v.message).toJson();
    return JsonObjectWriter().add("error", v.message).add("detail", v.detail).toJson();
}

} // namespace sm

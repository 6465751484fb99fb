#include "ServiceApi.h"

#include "EventApi.h"
#include "Input.h"
#include "ReadCoalescer.h"
#include "Validation.h"
#include "backend/Backend.h"
#include "http/Responder.h"
#include "model/ModelJson.h"
#include "rules/Rules.h"

#include <functional>

namespace sm {

namespace {

QByteArray listJson(const char *key, const QString &container, const QByteArray &array) {
    return JsonObjectWriter().add("container", container).addRaw(key, array).toJson();
}

const auto encode = [](const auto &value) { return toJson(value); };

} // namespace

void ServiceApi::addRoutes(RouteTable &routes) {
    using std::bind_front;
    routes.add("GET", "/containers", Access::Read,
               {.name = "list_containers",
                .tag = "containers",
                .summary = "List all known containers",
                .description = "The containers of the config, in file order, with their agents' "
                               "sockets.",
                .response = "ContainerListResponse"},
               bind_front(&ServiceApi::containers, this));
    routes.add("GET", "/containers/{container}/services", Access::Read,
               {.name = "list_services",
                .tag = "services",
                .summary = "List services for a container",
                .description = "The agent's services, in its order, with their labels from the "
                               "config (else the id).",
                .response = "ServiceListResponse"},
               bind_front(&ServiceApi::services, this));
    routes.add("GET", "/containers/{container}/services/status", Access::Read,
               {.name = "get_all_services_status",
                .tag = "services",
                .summary = "Get status of all services",
                .description = "Every service's s6 state in one agent call.",
                .response = "ServiceStatusListResponse"},
               bind_front(&ServiceApi::statuses, this));
    routes.add("GET", "/containers/{container}/services/{service}/status", Access::Read,
               {.name = "get_service_status",
                .tag = "services",
                .summary = "Get status of a service",
                .description = "The service's s6 state: s6-svstat's text, up or down, pid, "
                               "uptime, then the extended fields.",
                .response = "ServiceStatusResponse"},
               bind_front(&ServiceApi::status, this));
    routes.add("POST", "/containers/{container}/services/{service}", Access::Control,
               {.name = "control_service",
                .tag = "services",
                .summary = "Control a service (start/stop/restart)",
                .description = "up, down or restart the service through its agent.",
                .response = "ServiceControlResponse",
                .body = "ServiceActionRequest"},
               bind_front(&ServiceApi::control, this));
    routes.add("GET", "/containers/{container}/services/{service}/logs", Access::Read,
               {.name = "get_service_logs",
                .tag = "services",
                .summary = "Get service logs",
                .description = "The last lines of the service's s6-log `current`; with cursor, "
                               "what was written since that byte offset; with follow=true, "
                               "server-sent `log` events as lines are written.",
                .response = "ServiceLogsResponse",
                .query = {validate::kTailQuery,
                          {"strip_ansi", "boolean", "Remove terminal colour codes", false},
                          {"cursor", "integer", "Byte offset: return what was written since",
                           QJsonValue::Undefined, 0},
                          validate::kFollowQuery},
                .eventStream = true},
               bind_front(&ServiceApi::logs, this));
    routes.add("DELETE", "/containers/{container}/services/{service}/logs", Access::Control,
               {.name = "clear_service_logs",
                .tag = "services",
                .summary = "Clear service logs",
                .description = "Empties the service's `current` log in place; followers go on "
                               "from its new start.",
                .response = "ServiceLogsClearResponse"},
               bind_front(&ServiceApi::clearLogs, this));
    routes.add("GET", "/containers/{container}/services/{service}/deaths", Access::Read,
               {.name = "get_service_deaths",
                .tag = "services",
                .summary = "Get service deaths",
                .description = "The deaths s6-supervise recorded for the service (its death "
                               "tally, at most max-death-tally of them), newest first. 501 from "
                               "an agent too old to read them.",
                .response = "ServiceDeathsResponse"},
               bind_front(&ServiceApi::deaths, this));
    routes.add("GET", "/containers/{container}/ros2/topics", Access::Read,
               {.name = "list_ros2_topics",
                .tag = "ros2",
                .summary = "List ROS 2 topics",
                .description = "Not supported here: answers 503 for every configured container.",
                .response = "ROS2TopicsListResponse"},
               bind_front(&ServiceApi::ros2Topics, this));
    routes.add("GET", "/containers/{container}/services/{service}/run", Access::Read,
               {.name = "get_service_run_script",
                .tag = "services",
                .summary = "Get service run script",
                .description = "The service's s6 `run` script, for editing.",
                .response = "ServiceRunScriptResponse"},
               bind_front(&ServiceApi::runScript, this));
    routes.add("PUT", "/containers/{container}/services/{service}/run", Access::Control,
               {.name = "update_service_run_script",
                .tag = "services",
                .summary = "Update service run script",
                .description = "Replaces the `run` script atomically, keeping its mode; empty "
                               "content is refused (400).",
                .response = "ServiceRunScriptResponse",
                .body = "ServiceRunScriptUpdateRequest"},
               bind_front(&ServiceApi::setRunScript, this));
}

ServiceApi::Answer ServiceApi::containers(HttpExchange *ex, const PathParams &) {
    m_.backend->containers(ex, m_.out->answer<QList<ContainerInfo>>(ex, [](const auto &list) {
        return JsonObjectWriter().addRaw("containers", toJsonArray(list)).toJson();
    }));
    return {};
}

ServiceApi::Answer ServiceApi::services(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    if (in.error())
        return in.error();
    m_.reads->read<QList<ServiceInfo>>(
        QStringLiteral("services\n") + c, ex,
        [this, c](QObject *ctx, auto done) { m_.backend->services(ctx, c, done); },
        [c](const auto &list) { return listJson("services", c, toJsonArray(list)); });
    return {};
}

ServiceApi::Answer ServiceApi::statuses(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    if (in.error())
        return in.error();
    m_.reads->read<StatusJson>(
        QStringLiteral("statuses\n") + c, ex,
        [this, c](QObject *ctx, auto done) { m_.backend->statusesJson(ctx, c, done); },
        [c](const StatusJson &array) { return listJson("statuses", c, array.json); });
    return {};
}

ServiceApi::Answer ServiceApi::status(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    const QString &s = in.service(p.service);
    if (in.error())
        return in.error();
    m_.reads->read<StatusJson>(
        QStringLiteral("status\n") + c + u'\n' + s, ex,
        [this, c, s](QObject *ctx, auto done) { m_.backend->statusJson(ctx, c, s, done); },
        [](const StatusJson &status) { return status.json; });
    return {};
}

ServiceApi::Answer ServiceApi::control(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    const QString &s = in.service(p.service);
    const QString action = in.string(in.body(), "action", serviceActionNames());
    if (in.error())
        return in.error();
    m_.backend->control(ex, c, s, action, m_.out->answer<ControlResult>(ex, encode));
    return {};
}

ServiceApi::Answer ServiceApi::logs(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    const QString &s = in.service(p.service);
    const bool follow = in.flag("follow", false);
    LogQuery query;
    query.tail = in.integer("tail", validate::kDefaultTail, validate::kMaxTail);
    query.stripAnsi = in.flag("strip_ansi", false);
    const int cursor = in.integer("cursor", -1, INT_MAX);
    if (in.error())
        return in.error();
    if (follow) {
        m_events.followServiceLogs(ex, c, s, query.tail);
        return {};
    }
    if (cursor >= 0)
        query.cursor = cursor;
    m_.backend->logs(ex, c, s, query, m_.out->answer<LogChunk>(ex, encode));
    return {};
}

ServiceApi::Answer ServiceApi::clearLogs(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    const QString &s = in.service(p.service);
    if (in.error())
        return in.error();
    m_.backend->clearLogs(ex, c, s, m_.out->answer<LogsCleared>(ex, encode));
    return {};
}

ServiceApi::Answer ServiceApi::deaths(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    const QString &s = in.service(p.service);
    if (in.error())
        return in.error();
    m_.backend->deaths(ex, c, s, m_.out->answer<ServiceDeaths>(ex, encode));
    return {};
}

// The successor's robot page asks for ROS 2 topics; this daemon has no ROS 2, and says so as
// the successor does with ROS 2 off, never with invented topics.
ServiceApi::Answer ServiceApi::ros2Topics(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    if (in.error())
        return in.error();
    return ApiError::unavailable(QStringLiteral("ROS2 plugin for container '%1' is not "
                                                "available: this system-managerd has no ROS 2 "
                                                "support")
                                     .arg(c));
}

ServiceApi::Answer ServiceApi::runScript(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    const QString &s = in.service(p.service);
    if (in.error())
        return in.error();
    m_.backend->runScript(ex, c, s, m_.out->answer<RunScript>(ex, encode));
    return {};
}

ServiceApi::Answer ServiceApi::setRunScript(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &c = in.container(p.container);
    const QString &s = in.service(p.service);
    const QString content = in.string(in.body(), "content");
    if (in.error())
        return in.error();
    if (content.trimmed().isEmpty()) // as the original: 400, nothing written
        return ApiError::badRequest(QStringLiteral("Content must not be empty"));
    m_.backend->setRunScript(ex, c, s, content, m_.out->answer<RunScript>(ex, encode));
    return {};
}

} // namespace sm

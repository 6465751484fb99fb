// Routes for configured containers and their s6 services (rest-api.md, "Containers and
// services"). Each handler validates its input, calls the Backend and hands the result on.
#include "RestServer.h"

#include "ReadCoalescer.h"
#include "Validation.h"

#include "backend/Backend.h"
#include "model/ModelJson.h"

namespace sm {

namespace {

using validate::kMaxTail;

QByteArray servicesJson(const QString &container, const QList<ServiceInfo> &services) {
    return JsonObjectWriter()
        .add("container", container)
        .addRaw("services", toJsonArray(services))
        .toJson();
}

QByteArray statusesJson(const QString &container, const QList<ServiceStatus> &statuses) {
    return JsonObjectWriter()
        .add("container", container)
        .addRaw("statuses", toJsonArray(statuses))
        .toJson();
}

} // namespace

void RestServer::addServiceRoutes() {
    m_routes.add(
        "GET", "/containers", Access::Read,
        {.name = "list_containers",
         .tag = "containers",
         .summary = "List all known containers",
         .description = "The containers of the config, in file order, with their agents' "
                        "sockets.",
         .response = "ContainerListResponse"},
        [this](HttpExchange *ex, const QStringList &) {
            m_backend->containers(
                ex, answer<QList<ContainerInfo>>(ex, [](const auto &list) {
                    return JsonObjectWriter().addRaw("containers", toJsonArray(list)).toJson();
                }));
        });

    m_routes.add("GET", "/containers/{container}/services", Access::Read,
                 {.name = "list_services",
                  .tag = "services",
                  .summary = "List services for a container",
                  .description = "The agent's services, in its order, with their labels from the "
                                 "config (else the id).",
                  .response = "ServiceListResponse"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]))
                         return;
                     m_reads->request(QStringLiteral("services\n") + p[0], ex,
                                      [this, c = p[0]](QObject *ctx, ReadCoalescer::Done done) {
                                          m_backend->services(ctx, c, [c, done](const auto &r) {
                                              done(bodyOf(r, [&c](const auto &list) {
                                                  return servicesJson(c, list);
                                              }));
                                          });
                                      });
                 });

    m_routes.add("GET", "/containers/{container}/services/status", Access::Read,
                 {.name = "get_all_services_status",
                  .tag = "services",
                  .summary = "Get status of all services",
                  .description = "Every service's s6 state in one agent call.",
                  .response = "ServiceStatusListResponse"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]))
                         return;
                     m_reads->request(QStringLiteral("statuses\n") + p[0], ex,
                                      [this, c = p[0]](QObject *ctx, ReadCoalescer::Done done) {
                                          m_backend->statuses(ctx, c, [c, done](const auto &r) {
                                              done(bodyOf(r, [&c](const auto &list) {
                                                  return statusesJson(c, list);
                                              }));
                                          });
                                      });
                 });

    m_routes.add("GET", "/containers/{container}/services/{service}/status", Access::Read,
                 {.name = "get_service_status",
                  .tag = "services",
                  .summary = "Get status of a service",
                  .description = "The service's s6 state: s6-svstat's text, up or down, pid, "
                                 "uptime, then the extended fields.",
                  .response = "ServiceStatusResponse"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     m_reads->request(
                         QStringLiteral("status\n") + p[0] + u'\n' + p[1], ex,
                         [this, c = p[0], svc = p[1]](QObject *ctx, ReadCoalescer::Done done) {
                             m_backend->status(ctx, c, svc, [done](const auto &r) {
                                 done(bodyOf(r, [](const auto &v) { return toJson(v); }));
                             });
                         });
                 });

    m_routes.add("POST", "/containers/{container}/services/{service}", Access::Control,
                 {.name = "control_service",
                  .tag = "services",
                  .summary = "Control a service (start/stop/restart)",
                  .description = "up, down or restart the service through its agent.",
                  .response = "ServiceControlResponse",
                  .body = "ServiceActionRequest"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     const auto body = jsonBody(ex);
                     if (!body)
                         return;
                     const auto action = stringField(
                         ex, *body, "action",
                         {QStringLiteral("up"), QStringLiteral("down"), QStringLiteral("restart")});
                     if (!action)
                         return;
                     m_backend->control(
                         ex, p[0], p[1], *action,
                         answer<ControlResult>(ex, [](const auto &v) { return toJson(v); }));
                 });

    m_routes.add("GET", "/containers/{container}/services/{service}/logs", Access::Read,
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
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     const auto follow = boolQuery(ex, "follow", false);
                     const auto tail = intQuery(ex, "tail", validate::kDefaultTail, kMaxTail);
                     const auto strip = boolQuery(ex, "strip_ansi", false);
                     const auto cursor = intQuery(ex, "cursor", -1, INT_MAX);
                     if (!follow || !tail || !strip || !cursor)
                         return;
                     if (*follow) {
                         followServiceLogs(ex, p[0], p[1], *tail); // RestEventRoutes.cpp
                         return;
                     }
                     LogQuery query;
                     query.tail = *tail;
                     query.stripAnsi = *strip;
                     if (*cursor >= 0)
                         query.cursor = *cursor;
                     m_backend->logs(ex, p[0], p[1], query,
                                     answer<LogChunk>(ex, [](const auto &v) { return toJson(v); }));
                 });

    m_routes.add("DELETE", "/containers/{container}/services/{service}/logs", Access::Control,
                 {.name = "clear_service_logs",
                  .tag = "services",
                  .summary = "Clear service logs",
                  .description = "Empties the service's `current` log in place; followers go on "
                                 "from its new start.",
                  .response = "ServiceLogsClearResponse"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     m_backend->clearLogs(
                         ex, p[0], p[1],
                         answer<LogsCleared>(ex, [](const auto &v) { return toJson(v); }));
                 });

    // The successor's robot page asks for ROS 2 topics; this daemon has no ROS 2, and says so
    // as the successor does with ROS 2 off, never with invented topics.
    m_routes.add("GET", "/containers/{container}/ros2/topics", Access::Read,
                 {.name = "list_ros2_topics",
                  .tag = "ros2",
                  .summary = "List ROS 2 topics",
                  .description = "Not supported here: answers 503 for every configured container.",
                  .response = "ROS2TopicsListResponse"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]))
                         return;
                     replyError(ex, ApiError::unavailable(
                                        QStringLiteral("ROS2 plugin for container '%1' is not "
                                                       "available: this system-managerd has no "
                                                       "ROS 2 support")
                                            .arg(p[0])));
                 });

    m_routes.add("GET", "/containers/{container}/services/{service}/run", Access::Read,
                 {.name = "get_service_run_script",
                  .tag = "services",
                  .summary = "Get service run script",
                  .description = "The service's s6 `run` script, for editing.",
                  .response = "ServiceRunScriptResponse"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     m_backend->runScript(ex, p[0], p[1], answer<RunScript>(ex, [](const auto &v) {
                                              return toJson(v);
                                          }));
                 });

    m_routes.add(
        "PUT", "/containers/{container}/services/{service}/run", Access::Control,
        {.name = "update_service_run_script",
         .tag = "services",
         .summary = "Update service run script",
         .description = "Replaces the `run` script atomically, keeping its mode; empty "
                        "content is refused (400).",
         .response = "ServiceRunScriptResponse",
         .body = "ServiceRunScriptUpdateRequest"},
        [this](HttpExchange *ex, const QStringList &p) {
            if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                return;
            const auto body = jsonBody(ex);
            if (!body)
                return;
            const auto content = stringField(ex, *body, "content");
            if (!content)
                return;
            if (content->trimmed().isEmpty()) { // as the original: 400, nothing written
                replyError(ex, ApiError::badRequest(QStringLiteral("Content must not be empty")));
                return;
            }
            m_backend->setRunScript(ex, p[0], p[1], *content,
                                    answer<RunScript>(ex, [](const auto &v) { return toJson(v); }));
        });
}

} // namespace sm

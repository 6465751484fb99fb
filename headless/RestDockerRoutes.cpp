// Routes for the host's Docker containers (rest-api.md, "Docker"); the Backend does the
// Engine API work, these handlers validate and shape.
#include "RestServer.h"

#include "ReadCoalescer.h"
#include "Validation.h"
#include "backend/Backend.h"
#include "model/ModelJson.h"

namespace sm {

namespace {
using validate::kMaxTail;
constexpr int kMaxStopTimeout = 3600;
} // namespace

void RestServer::addDockerRoutes() {
    m_routes.add(
        "GET", "/docker/containers", Access::Read,
        {.name = "list_docker_containers",
         .tag = "docker",
         .summary = "List all Docker containers",
         .description = "The host's Docker containers: running ones, or all with all=true.",
         .response = "DockerContainerListResponse",
         .query = {{"all", "boolean", "Include stopped containers", false}}},
        [this](HttpExchange *ex, const QStringList &) {
            const auto all = boolQuery(ex, "all", false);
            if (!all)
                return;
            // Docker engines answer a few hundred lists a second at most: identical reads that
            // arrive together share one Engine call (never one that started before them).
            m_reads->request(QStringLiteral("docker-list\n") + (*all ? u'1' : u'0'), ex,
                             [this, all = *all](QObject *ctx, ReadCoalescer::Done done) {
                                 m_backend->dockerContainers(ctx, all, [done](const auto &r) {
                                     done(bodyOf(r, [](const auto &list) {
                                         return JsonObjectWriter()
                                             .addRaw("containers", toJsonArray(list))
                                             .toJson();
                                     }));
                                 });
                             });
        });

    m_routes.add("GET", "/docker/containers/{name}/status", Access::Read,
                 {.name = "get_docker_container_status",
                  .tag = "docker",
                  .summary = "Get Docker container status",
                  .description = "State, timestamps and exit code of one Docker container.",
                  .response = "DockerContainerStatus"},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkDockerName(ex, p[0]))
                         return;
                     m_reads->request(
                         QStringLiteral("docker-status\n") + p[0], ex,
                         [this, name = p[0]](QObject *ctx, ReadCoalescer::Done done) {
                             m_backend->dockerStatus(ctx, name, [done](const auto &r) {
                                 done(bodyOf(r, [](const auto &v) { return toJson(v); }));
                             });
                         });
                 });

    m_routes.add(
        "POST", "/docker/containers/{name}", Access::Control,
        {.name = "control_docker_container",
         .tag = "docker",
         .summary = "Control a Docker container",
         .description = "start, stop or restart; stop and restart wait up to `timeout` seconds "
                        "before killing. Only containers in docker.control when it is set.",
         .response = "DockerContainerActionResponse",
         .body = "DockerContainerActionRequest"},
        [this](HttpExchange *ex, const QStringList &p) {
            if (!checkDockerName(ex, p[0]))
                return;
            const auto body = jsonBody(ex);
            if (!body)
                return;
            const auto action = stringField(
                ex, *body, "action",
                {QStringLiteral("start"), QStringLiteral("stop"), QStringLiteral("restart")});
            if (!action)
                return;
            const auto timeout =
                value(ex, validate::intField(*body, "timeout", 10, 0, kMaxStopTimeout));
            if (!timeout)
                return;
            // Docker waits up to `timeout` seconds for the container before killing it.
            ex->setExtraDeadlineMs(qint64(*timeout) * 1000);
            m_backend->dockerControl(
                ex, p[0], *action, *timeout,
                answer<DockerControlResult>(ex, [](const auto &v) { return toJson(v); }));
        });

    m_routes.add("GET", "/docker/containers/{name}/logs", Access::Read,
                 {.name = "get_docker_container_logs",
                  .tag = "docker",
                  .summary = "Get Docker container logs",
                  .description = "The last lines of stdout and stderr, one timestamp per line; "
                                 "with follow=true, server-sent `log` events.",
                  .response = "DockerContainerLogsResponse",
                  .query = {validate::kTailQuery, validate::kFollowQuery},
                  .eventStream = true},
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkDockerName(ex, p[0]))
                         return;
                     const auto follow = boolQuery(ex, "follow", false);
                     const auto tail = intQuery(ex, "tail", validate::kDefaultTail, kMaxTail);
                     if (!follow || !tail)
                         return;
                     if (*follow) {
                         followDockerLogs(ex, p[0], *tail); // RestEventRoutes.cpp
                         return;
                     }
                     m_backend->dockerLogs(
                         ex, p[0], *tail,
                         answer<DockerLogs>(ex, [](const auto &v) { return toJson(v); }));
                 });
}

} // namespace sm

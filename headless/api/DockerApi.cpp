#include "DockerApi.h"

#include "EventApi.h"
#include "Input.h"
#include "ReadCoalescer.h"
#include "Validation.h"
#include "backend/DockerBackend.h"
#include "http/Responder.h"
#include "model/ModelJson.h"
#include "rules/Rules.h"

#include <functional>

namespace sm {

namespace {

constexpr int kMaxStopTimeout = 3600;

const auto encode = [](const auto &value) { return toJson(value); };

} // namespace

void DockerApi::addRoutes(RouteTable &routes) {
    using std::bind_front;
    routes.add("GET", "/docker/containers", Access::Read,
               {.name = "list_docker_containers",
                .tag = "docker",
                .summary = "List all Docker containers",
                .description = "The host's Docker containers: running ones, or all with all=true.",
                .response = "DockerContainerListResponse",
                .query = {{"all", "boolean", "Include stopped containers", false}}},
               bind_front(&DockerApi::list, this));
    routes.add("GET", "/docker/containers/{name}/status", Access::Read,
               {.name = "get_docker_container_status",
                .tag = "docker",
                .summary = "Get Docker container status",
                .description = "State, timestamps and exit code of one Docker container.",
                .response = "DockerContainerStatus"},
               bind_front(&DockerApi::status, this));
    routes.add("POST", "/docker/containers/{name}", Access::Control,
               {.name = "control_docker_container",
                .tag = "docker",
                .summary = "Control a Docker container",
                .description = "start, stop or restart; stop and restart wait up to `timeout` "
                               "seconds before killing. Only containers in docker.control when "
                               "it is set.",
                .response = "DockerContainerActionResponse",
                .body = "DockerContainerActionRequest"},
               bind_front(&DockerApi::control, this));
    routes.add("GET", "/docker/containers/{name}/logs", Access::Read,
               {.name = "get_docker_container_logs",
                .tag = "docker",
                .summary = "Get Docker container logs",
                .description = "The last lines of stdout and stderr, one timestamp per line; "
                               "with follow=true, server-sent `log` events.",
                .response = "DockerContainerLogsResponse",
                .query = {validate::kTailQuery, validate::kFollowQuery},
                .eventStream = true},
               bind_front(&DockerApi::logs, this));
}

DockerApi::Answer DockerApi::list(HttpExchange *ex, const PathParams &) {
    Input in(*ex, m_.settings->containers);
    const bool all = in.flag("all", false);
    if (in.error())
        return in.error();
    // Docker engines answer a few hundred lists a second at most: identical reads that arrive
    // together share one Engine call (never one that started before them).
    m_.reads->read<QList<DockerContainer>>(
        QStringLiteral("docker-list\n") + (all ? u'1' : u'0'), ex,
        [this, all](QObject *ctx, auto done) { m_.docker->dockerContainers(ctx, all, done); },
        [](const auto &list) {
            return JsonObjectWriter().addRaw("containers", toJsonArray(list)).toJson();
        });
    return {};
}

DockerApi::Answer DockerApi::status(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &name = in.dockerName(p.name);
    if (in.error())
        return in.error();
    m_.reads->read<DockerStatus>(
        QStringLiteral("docker-status\n") + name, ex,
        [this, name](QObject *ctx, auto done) { m_.docker->dockerStatus(ctx, name, done); },
        encode);
    return {};
}

DockerApi::Answer DockerApi::control(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &name = in.dockerName(p.name);
    const QJsonObject body = in.body();
    const QString action = in.string(body, "action", dockerActionNames());
    const int timeout = in.integer(body, "timeout", 10, 0, kMaxStopTimeout);
    if (in.error())
        return in.error();
    // Docker waits up to `timeout` seconds for the container before killing it.
    ex->setExtraDeadlineMs(qint64(timeout) * 1000);
    m_.docker->dockerControl(ex, name, action, timeout,
                             m_.out->answer<DockerControlResult>(ex, encode));
    return {};
}

DockerApi::Answer DockerApi::logs(HttpExchange *ex, const PathParams &p) {
    Input in(*ex, m_.settings->containers);
    const QString &name = in.dockerName(p.name);
    const bool follow = in.flag("follow", false);
    const int tail = in.integer("tail", validate::kDefaultTail, validate::kMaxTail);
    if (in.error())
        return in.error();
    if (follow)
        m_events.followDockerLogs(ex, name, tail);
    else
        m_.docker->dockerLogs(ex, name, tail, m_.out->answer<DockerLogs>(ex, encode));
    return {};
}

} // namespace sm

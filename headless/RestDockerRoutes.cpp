// Routes for the host's Docker containers (rest-api.md, "Docker"); the Backend does the
// Engine API work, these handlers validate and shape.
#include "RestServer.h"

#include "ReadCoalescer.h"
#include "backend/Backend.h"
#include "model/ModelJson.h"

#include <QJsonObject>

namespace sm {

namespace {
constexpr int kMaxTail = 100000;
constexpr int kMaxStopTimeout = 3600;
} // namespace

void RestServer::addDockerRoutes() {
    m_routes.add(
        "GET", "/docker/containers", Access::Read, [this](HttpExchange *ex, const QStringList &) {
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
            int timeout = 10;
            const QJsonValue value = body->value(QStringLiteral("timeout"));
            if (!value.isUndefined() && !value.isNull()) {
                const double d = value.toDouble(-1);
                if (!value.isDouble() || d < 0 || d > kMaxStopTimeout || d != double(int(d))) {
                    const QString reason =
                        QStringLiteral("must be an integer from 0 to %1").arg(kMaxStopTimeout);
                    replyError(ex, ApiError::unprocessable(
                                       QStringLiteral("Field 'timeout' %1").arg(reason),
                                       QJsonObject{{"field", "timeout"}, {"reason", reason}}));
                    return;
                }
                timeout = int(d);
            }
            // Docker waits up to `timeout` seconds for the container before killing it.
            ex->setExtraDeadlineMs(qint64(timeout) * 1000);
            m_backend->dockerControl(
                ex, p[0], *action, timeout,
                answer<DockerControlResult>(ex, [](const auto &v) { return toJson(v); }));
        });

    m_routes.add("GET", "/docker/containers/{name}/logs", Access::Read,
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkDockerName(ex, p[0]))
                         return;
                     const auto follow = boolQuery(ex, "follow", false);
                     const auto tail = intQuery(ex, "tail", 100, kMaxTail);
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

// Routes for configured containers and their s6 services (rest-api.md, "Containers and
// services"). Each handler validates its input, calls the Backend and hands the result on.
#include "RestServer.h"

#include "ReadCoalescer.h"

#include "backend/Backend.h"
#include "model/ModelJson.h"

namespace sm {

namespace {

constexpr int kMaxTail = 100000;

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
    m_routes.add("GET", "/containers", Access::Read, [this](HttpExchange *ex, const QStringList &) {
        m_backend->containers(
            ex, answer<QList<ContainerInfo>>(ex, [](const auto &list) {
                return JsonObjectWriter().addRaw("containers", toJsonArray(list)).toJson();
            }));
    });

    m_routes.add("GET", "/containers/{c}/services", Access::Read,
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

    m_routes.add("GET", "/containers/{c}/services/status", Access::Read,
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

    m_routes.add("GET", "/containers/{c}/services/{s}/status", Access::Read,
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

    m_routes.add("POST", "/containers/{c}/services/{s}", Access::Control,
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

    m_routes.add("GET", "/containers/{c}/services/{s}/logs", Access::Read,
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     const auto follow = boolQuery(ex, "follow", false);
                     const auto tail = intQuery(ex, "tail", 100, kMaxTail);
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

    m_routes.add("GET", "/containers/{c}/services/{s}/run", Access::Read,
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     m_backend->runScript(ex, p[0], p[1], answer<RunScript>(ex, [](const auto &v) {
                                              return toJson(v);
                                          }));
                 });

    m_routes.add("PUT", "/containers/{c}/services/{s}/run", Access::Control,
                 [this](HttpExchange *ex, const QStringList &p) {
                     if (!checkContainer(ex, p[0]) || !checkService(ex, p[1]))
                         return;
                     const auto body = jsonBody(ex);
                     if (!body)
                         return;
                     const auto content = stringField(ex, *body, "content");
                     if (!content)
                         return;
                     m_backend->setRunScript(
                         ex, p[0], p[1], *content,
                         answer<RunScript>(ex, [](const auto &v) { return toJson(v); }));
                 });
}

} // namespace sm

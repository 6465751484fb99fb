#include "backend/RemoteJson.h"

#include "model/ModelJson.h"

#include <QJsonArray>

namespace sm::remotejson {

namespace {

// Reads {"<key>": [ {...}, ... ]} with one parser per item; the first bad item fails it all.
template <typename T>
Result<QList<T>> list(const QJsonObject &o, const char *key,
                      Result<T> (*read)(const QJsonObject &)) {
    const QJsonValue value = o.value(QLatin1String(key));
    if (!value.isArray())
        return ApiError::badGateway(
            QStringLiteral("Invalid answer from system-managerd: '%1' is not a list")
                .arg(QLatin1String(key)));
    QList<T> out;
    for (const QJsonValue &item : value.toArray()) {
        Result<T> r = read(item.toObject());
        if (!r.ok())
            return r.error();
        out.append(std::move(r.value()));
    }
    return out;
}

} // namespace

Result<QList<ContainerInfo>> containers(const QJsonObject &o) {
    return list<ContainerInfo>(o, "containers", containerInfoFromJson);
}

Result<QList<ServiceInfo>> services(const QJsonObject &o) {
    return list<ServiceInfo>(o, "services", serviceInfoFromJson);
}

Result<ServiceStatus> serviceStatus(const QJsonObject &o) {
    return serviceStatusFromJson(o);
}

Result<QList<ServiceStatus>> statuses(const QJsonObject &o) {
    Result<QList<ServiceStatus>> r = list<ServiceStatus>(o, "statuses", serviceStatusFromJson);
    if (r.ok()) {
        const QString container = o.value(QLatin1String("container")).toString();
        for (ServiceStatus &s : r.value())
            if (s.container.isEmpty())
                s.container = container;
    }
    return r;
}

Result<ControlResult> controlResult(const QJsonObject &o) {
    return controlResultFromJson(o);
}
Result<LogChunk> logChunk(const QJsonObject &o) {
    return logChunkFromJson(o);
}
Result<RunScript> runScript(const QJsonObject &o) {
    return runScriptFromJson(o);
}
Result<LogsCleared> logsCleared(const QJsonObject &o) {
    return logsClearedFromJson(o);
}

Result<QList<DockerContainer>> dockerContainers(const QJsonObject &o) {
    return list<DockerContainer>(o, "containers", dockerContainerFromJson);
}

Result<DockerStatus> dockerStatus(const QJsonObject &o) {
    return dockerStatusFromJson(o);
}
Result<DockerControlResult> dockerControlResult(const QJsonObject &o) {
    return dockerControlResultFromJson(o);
}
Result<DockerLogs> dockerLogs(const QJsonObject &o) {
    return dockerLogsFromJson(o);
}
Result<DockerEvent> dockerEvent(const QJsonObject &o) {
    return dockerEventFromJson(o);
}
Result<Health> health(const QJsonObject &o) {
    return healthFromJson(o);
}

} // namespace sm::remotejson

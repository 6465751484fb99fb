#include "backend/RemoteJson.h"

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

Result<QList<DockerContainer>> dockerContainers(const QJsonObject &o) {
    return list<DockerContainer>(o, "containers", dockerContainerFromJson);
}

} // namespace sm::remotejson

#pragma once

#include "model/ApiError.h"
#include "model/JsonWriter.h"
#include "model/Types.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace sm {

// The exact REST shapes (rest-api.md) of the model values, with the documented key order. Each
// type's keys are listed once, in ModelJson.cpp, for both its writer and its reader.
QByteArray toJson(const ContainerInfo &value);
QByteArray toJson(const ServiceInfo &value);
// The old API's fields, then the agent's extended fields in agent-api order (all seven, null
// when unknown, but only if the agent reported any of them), then its death fields
// (deaths_last_minute, last_death, deaths_last_hour, failed: all four, null when unknown, but
// only if the agent reported any of them), then anything else it sent.
QByteArray toJson(const ServiceStatus &value);
// {"time","exit_code","signal"}
QByteArray toJson(const ServiceDeath &value);
// {"container","service","deaths":[<death>,...]}, newest first.
QByteArray toJson(const ServiceDeaths &value);
QByteArray toJson(const ControlResult &value);
QByteArray toJson(const LogChunk &value);
QByteArray toJson(const RunScript &value);
QByteArray toJson(const LogsCleared &value);
QByteArray toJson(const DockerContainer &value);
QByteArray toJson(const DockerStatus &value);
QByteArray toJson(const DockerControlResult &value);
QByteArray toJson(const DockerLogs &value);
QByteArray toJson(const DockerEvent &value);
// {"status":"ok","agents":{"<c>":"reachable"|"unreachable"},"docker":"available"|"unavailable"}
QByteArray toJson(const Health &value);
// The error envelope: {"error": message, "detail": detail}.
QByteArray toJson(const ApiError &value);

// "[a,b,...]" of the items' REST shapes.
template <typename T> QByteArray toJsonArray(const QList<T> &items) {
    QList<QByteArray> parts;
    parts.reserve(items.size());
    for (const T &item : items)
        parts.append(toJson(item));
    return jsonArray(parts);
}

// The agent's Status object (agent-api.md). container, service and serviceLabel stay empty;
// unknown fields land in otherFields. A malformed object is a 502 (the agent misbehaved).
Result<ServiceStatus> serviceStatusFromAgent(const QJsonObject &object);

// Parsers for the daemon's REST answers (the inverse of toJson). Malformed input is a 502.
Result<ServiceStatus> serviceStatusFromJson(const QJsonObject &object);
Result<ContainerInfo> containerInfoFromJson(const QJsonObject &object);
Result<ServiceInfo> serviceInfoFromJson(const QJsonObject &object);
Result<ControlResult> controlResultFromJson(const QJsonObject &object);
Result<LogChunk> logChunkFromJson(const QJsonObject &object);
Result<ServiceDeath> serviceDeathFromJson(const QJsonObject &object);
// Also reads the agent's answer ({"service","deaths"}): container is then left empty.
Result<ServiceDeaths> serviceDeathsFromJson(const QJsonObject &object);
Result<RunScript> runScriptFromJson(const QJsonObject &object);
Result<LogsCleared> logsClearedFromJson(const QJsonObject &object);
Result<DockerContainer> dockerContainerFromJson(const QJsonObject &object);
Result<DockerStatus> dockerStatusFromJson(const QJsonObject &object);
Result<DockerControlResult> dockerControlResultFromJson(const QJsonObject &object);
Result<DockerLogs> dockerLogsFromJson(const QJsonObject &object);
Result<DockerEvent> dockerEventFromJson(const QJsonObject &object);
Result<Health> healthFromJson(const QJsonObject &object);
// The error envelope back into an ApiError with the given HTTP status.
ApiError apiErrorFromJson(int status, const QJsonObject &object);

} // namespace sm

#pragma once

#include "model/ApiError.h"
#include "model/Types.h"

#include <QJsonObject>
#include <QList>

// The daemon's REST answers (rest-api.md) read back into model values for RemoteBackend:
// the envelopes around core/model/ModelJson's per-value parsers. Malformed input is a 502.
namespace sm::remotejson {

Result<QList<ContainerInfo>> containers(const QJsonObject &o);
Result<QList<ServiceInfo>> services(const QJsonObject &o);
Result<ServiceStatus> serviceStatus(const QJsonObject &o);
Result<QList<ServiceStatus>> statuses(const QJsonObject &o);
Result<ControlResult> controlResult(const QJsonObject &o);
Result<LogChunk> logChunk(const QJsonObject &o);
Result<RunScript> runScript(const QJsonObject &o);
Result<LogsCleared> logsCleared(const QJsonObject &o);
Result<QList<DockerContainer>> dockerContainers(const QJsonObject &o);
Result<DockerStatus> dockerStatus(const QJsonObject &o);
Result<DockerControlResult> dockerControlResult(const QJsonObject &o);
Result<DockerLogs> dockerLogs(const QJsonObject &o);
Result<DockerEvent> dockerEvent(const QJsonObject &o);
Result<Health> health(const QJsonObject &o);

} // namespace sm::remotejson

#pragma once

#include "model/ApiError.h"
#include "model/HistoryJson.h"
#include "model/ModelJson.h"
#include "model/Types.h"

#include <QJsonObject>
#include <QList>

// The daemon's REST answers (rest-api.md) read back into model values for RemoteBackend:
// the lists around core/model/ModelJson's per-value parsers, and those parsers by the name of
// the answer. Malformed input is a 502.
namespace sm::remotejson {

Result<QList<ContainerInfo>> containers(const QJsonObject &o);
Result<QList<ServiceInfo>> services(const QJsonObject &o);
Result<QList<ServiceStatus>> statuses(const QJsonObject &o);
Result<QList<DockerContainer>> dockerContainers(const QJsonObject &o);

inline constexpr auto &serviceStatus = serviceStatusFromJson;
inline constexpr auto &controlResult = controlResultFromJson;
inline constexpr auto &logChunk = logChunkFromJson;
inline constexpr auto &runScript = runScriptFromJson;
inline constexpr auto &serviceDeaths = serviceDeathsFromJson;
inline constexpr auto &logsCleared = logsClearedFromJson;
inline constexpr auto &dockerStatus = dockerStatusFromJson;
inline constexpr auto &dockerControlResult = dockerControlResultFromJson;
inline constexpr auto &dockerLogs = dockerLogsFromJson;
inline constexpr auto &dockerEvent = dockerEventFromJson;
inline constexpr auto &health = healthFromJson;
inline constexpr auto &history = historyFromJson;
inline constexpr auto &audit = auditFromJson;

} // namespace sm::remotejson

#pragma once

#include "model/ApiError.h"
#include "model/Types.h"

#include <QByteArray>
#include <QList>

namespace sm {

// What the client needs from GET /containers/{id}/json: the REST status and whether the
// container has a TTY (its logs are then raw bytes, not 8-byte frames).
struct DockerInspect {
    DockerStatus status;
    bool tty = false;
};

// GET /containers/json → REST rows. A body that is not the Engine's shape is a 502.
Result<QList<DockerContainer>> dockerContainersFromEngine(const QByteArray &body);
// GET /containers/{id}/json → status. A body that is not the Engine's shape is a 502.
Result<DockerInspect> dockerInspectFromEngine(const QByteArray &body);
// The Engine's error body {"message": "..."} (or the raw text) as one readable phrase.
QString dockerErrorMessage(const QByteArray &body);

} // namespace sm

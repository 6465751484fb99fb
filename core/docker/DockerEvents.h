#pragma once

#include "model/Types.h"

#include <QByteArray>

#include <optional>

namespace sm {

// One line of the Engine's /events stream → a container event. Returns nothing for events of
// other types, blank lines and malformed JSON (the stream goes on; one bad line loses only
// itself). The container is Actor.Attributes.name (else the id), the action is Action (else
// status), the time is ISO 8601 from time/timeNano.
std::optional<DockerEvent> parseDockerEventLine(const QByteArray &line);

} // namespace sm

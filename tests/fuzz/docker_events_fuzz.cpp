// Fuzz target: the Engine's JSON surfaces: /events lines, container lists, inspect results.
#include "docker/DockerEvents.h"
#include "docker/DockerJson.h"
#include "docker/DockerTime.h"

#include <cstdint>
#include <cstdlib>

using namespace sm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const QByteArray &line : input.split('\n')) {
        if (const auto event = parseDockerEventLine(line)) {
            if (event->container.isEmpty() || event->action.isEmpty() || !event->time.endsWith('Z'))
                abort();
        }
    }
    const auto list = dockerContainersFromEngine(input);
    if (!list.ok() && list.error().status != 502)
        abort();
    const auto inspect = dockerInspectFromEngine(input);
    if (!inspect.ok() && inspect.error().status != 502)
        abort();
    if (inspect.ok() && inspect.value().status.running && inspect.value().status.exitCode)
        abort(); // a running container has no exit code
    dockerErrorMessage(input);
    dockerTimeFromRfc3339(QString::fromUtf8(input));
    return 0;
}

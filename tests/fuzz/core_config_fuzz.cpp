// libFuzzer target: arbitrary text as config.yml. Loading must never crash or throw: it yields a
// config or an error that names the file.
#include "config/SystemConfig.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    const sm::ConfigLoad load = sm::loadConfigText(text, QStringLiteral("fuzz.yml"), {});
    if (!load.ok() && load.error.file != QLatin1String("fuzz.yml"))
        std::abort();
    return 0;
}

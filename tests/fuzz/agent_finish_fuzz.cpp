// Fuzz target: a service's finish script read for s6-permafailon, and the agent's replay of
// s6-permafailon's decision over a death tally decoded from the same bytes.
#include "Permafail.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    const auto rule = agent::parsePermafailon(bytes);
    if (!rule)
        return 0;
    if (rule->deaths < 1 || rule->deaths > agent::kMaxDeaths)
        std::abort();
    // The input's leading whole records as a tally, and the tally of a rule that always fires.
    const std::string_view records = bytes.substr(0, size - size % agent::kDeathRecordSize);
    if (const auto deaths = agent::parseDeathTally(records)) {
        const bool fired = agent::permafailTriggered(*rule, *deaths);
        if (fired && deaths->size() < rule->deaths)
            std::abort();
        agent::SupervisionStatus status;
        if (!deaths->empty())
            status.stamp = deaths->back().stamp;
        if (agent::stoppedByPermafail(status, *deaths, *rule) != fired)
            std::abort();
    }
    return 0;
}

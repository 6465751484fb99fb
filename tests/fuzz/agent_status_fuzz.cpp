// Fuzz target: supervise/status decoding, s6-svstat formatting in both dialects,
// and the Status JSON, which the agent's own strict JSON parser must accept.
#include "Json.h"
#include "S6Status.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    // Also try the input cut to both real sizes, so most inputs reach the formatter.
    for (std::string_view input : {bytes, bytes.substr(0, agent::kStatusSize),
                                   bytes.substr(0, agent::kStatusSizeWithPgid)}) {
        const auto status = agent::parseStatusFile(input);
        if (!status)
            continue;
        const agent::Tai64n now = agent::taiNow();
        for (auto dialect : {agent::SvstatDialect::V2_11, agent::SvstatDialect::V2_13}) {
            for (bool normallyUp : {false, true}) {
                const std::string raw = agent::formatSvstat(*status, normallyUp, now, dialect);
                if (raw.rfind("up (pid ", 0) != 0 && raw.rfind("down (", 0) != 0)
                    std::abort();
                const std::string json =
                    "{\"s\":" + agent::statusJson("svc", *status, normallyUp, now, dialect) + "}";
                agent::JsonObject object;
                std::string error;
                if (!agent::parseJsonObject(json, object, error) || object.kinds.at("s") != 'o')
                    std::abort();
            }
        }
    }
    return 0;
}

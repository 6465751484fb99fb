// Fuzz target: the strict request-body JSON parser. Whatever it accepts must
// survive a round trip through the agent's JSON string writer, and the writer
// must turn any bytes into a string the parser accepts.
#include "Json.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    agent::JsonObject object;
    std::string error;
    if (agent::parseJsonObject(text, object, error)) {
        std::string again = "{";
        bool first = true;
        for (const auto &[key, value] : object.strings) {
            if (!first)
                again += ',';
            first = false;
            agent::appendJsonString(again, key);
            again += ':';
            agent::appendJsonString(again, value);
        }
        again += '}';
        agent::JsonObject reparsed;
        if (!agent::parseJsonObject(again, reparsed, error) || reparsed.strings != object.strings)
            std::abort();
    } else if (error.empty()) {
        std::abort();
    }
    std::string wrapped = "{\"content\":";
    agent::appendJsonString(wrapped, text);
    wrapped += '}';
    agent::JsonObject any;
    if (!agent::parseJsonObject(wrapped, any, error))
        std::abort();
    return 0;
}

// Fuzz target: the agent's HTTP request parser and target parsing. Besides not
// crashing, the input parsed whole and split at a position chosen by the input
// must give the same requests (or the same error).
#include "Http.h"
#include "RequestParser.h"
#include "Services.h"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

std::string run(const char *data, size_t size, size_t cut) {
    agent::RequestParser parser;
    std::string pending;
    std::string out;
    for (const auto &[from, to] : {std::pair<size_t, size_t>{0, cut}, {cut, size}}) {
        pending.append(data + from, to - from);
        const size_t used = parser.feed(pending.data(), pending.size(), 1u << 20);
        pending.erase(0, used);
        if (parser.failed())
            break;
    }
    while (parser.hasRequest()) {
        const agent::Request r = parser.takeRequest();
        out += r.method + ' ' + r.url + (r.keepAlive ? " k " : " c ") +
               std::to_string(r.body.size()) + '\n';
        for (const auto &[name, value] : r.headers)
            out += name + ':' + value + '\n';
        out += r.body;
        // The router's first steps must cope with whatever the client sent.
        if (const auto target = agent::parseTarget(r.url)) {
            for (const auto &segment : target->segments) {
                if (agent::isValidServiceName(segment) && (segment.find('/') != std::string::npos ||
                                                           segment.find("..") != std::string::npos))
                    std::abort();
            }
        }
    }
    if (parser.failed())
        out += "error " + std::to_string(parser.errorStatus());
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = reinterpret_cast<const char *>(data);
    const std::string whole = run(text, size, size);
    const size_t cut = size ? (data[0] * 131u + size / 2) % (size + 1) : 0;
    if (run(text, size, cut) != whole)
        std::abort();
    return 0;
}

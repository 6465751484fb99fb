#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agent {

class Stream;

// One answer. A response with a stream is streamed: `body` goes out as the
// first chunk, then whatever the stream yields, until the client leaves.
struct Response {
    int status = 200;
    std::string body;
    std::string contentType = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    bool close = false;
    std::shared_ptr<Stream> stream;
};

// On status answers: the CLOCK_MONOTONIC time (nanoseconds) before which every change s6
// recorded is in the answer (docs/agent-api.md).
inline constexpr const char *kStatusAsOfHeader = "X-Status-As-Of";

// {"error":"<sentence>","detail":null}
Response errorResponse(int status, std::string_view sentence);
Response jsonResponse(int status, std::string body);

const char *reasonPhrase(int status);
// Status line and headers (Content-Length or chunked for streams), then the body.
std::string serializeResponse(const Response &response, bool keepAlive);
std::string chunk(std::string_view data);

// Target split into percent-decoded path segments and query parameters.
struct Target {
    std::vector<std::string> segments; // "/services/a/status" -> services, a, status
    std::map<std::string, std::string> query;
};
// nullopt for a target that is not a valid origin-form path or has bad escapes.
std::optional<Target> parseTarget(std::string_view url);

} // namespace agent

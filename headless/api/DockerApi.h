#pragma once

#include "ApiContext.h"
#include "http/RouteTable.h"

namespace sm {

class EventApi;

// Routes for the host's Docker containers (rest-api.md, "Docker"); the DockerBackend does the
// Engine API work, these handlers read the input and shape the answer.
class DockerApi final {
public:
    DockerApi(const ApiContext &context, EventApi &events)
        : m_(context)
        , m_events(events) {}

    void addRoutes(RouteTable &routes);

private:
    using Answer = std::optional<ApiError>;
    Answer list(HttpExchange *ex, const PathParams &p);
    Answer status(HttpExchange *ex, const PathParams &p);
    Answer control(HttpExchange *ex, const PathParams &p);
    Answer logs(HttpExchange *ex, const PathParams &p);

    ApiContext m_;
    EventApi &m_events;
};

} // namespace sm

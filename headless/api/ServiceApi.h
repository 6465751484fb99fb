#pragma once

#include "ApiContext.h"
#include "http/RouteTable.h"

namespace sm {

class EventApi;

// Routes for configured containers and their s6 services (rest-api.md, "Containers and
// services"). Each handler reads its input, calls the Backend and hands the result on.
class ServiceApi final {
public:
    ServiceApi(const ApiContext &context, EventApi &events)
        : m_(context)
        , m_events(events) {}

    void addRoutes(RouteTable &routes);

private:
    using Answer = std::optional<ApiError>;
    Answer containers(HttpExchange *ex, const PathParams &p);
    Answer services(HttpExchange *ex, const PathParams &p);
    Answer statuses(HttpExchange *ex, const PathParams &p);
    Answer status(HttpExchange *ex, const PathParams &p);
    Answer control(HttpExchange *ex, const PathParams &p);
    Answer logs(HttpExchange *ex, const PathParams &p);
    Answer clearLogs(HttpExchange *ex, const PathParams &p);
    Answer deaths(HttpExchange *ex, const PathParams &p);
    Answer ros2Topics(HttpExchange *ex, const PathParams &p);
    Answer runScript(HttpExchange *ex, const PathParams &p);
    Answer setRunScript(HttpExchange *ex, const PathParams &p);

    ApiContext m_;
    EventApi &m_events;
};

} // namespace sm

#pragma once

#include "api/ApiContext.h"
#include "http/RouteTable.h"

#include <memory>

namespace sm {

class Metrics;

// GET /metrics (rest-api.md, "Metrics"): the daemon's state for a Prometheus scraper. A read
// like the others (a viewer token when tokens are configured), unless api.metrics_open lets a
// scraper in without one. It also counts every answer the Responder gives.
class MetricsApi final {
public:
    explicit MetricsApi(const ApiContext &context);
    ~MetricsApi();
    MetricsApi(const MetricsApi &) = delete;
    MetricsApi &operator=(const MetricsApi &) = delete;

    void addRoutes(RouteTable &routes);
    Metrics *metrics() const { return m_metrics.get(); }

private:
    ApiContext m_;
    std::unique_ptr<Metrics> m_metrics;
};

} // namespace sm

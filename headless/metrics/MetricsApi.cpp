#include "MetricsApi.h"

#include "Metrics.h"
#include "http/Responder.h"
#include "http/SseHub.h"

namespace sm {

MetricsApi::MetricsApi(const ApiContext &context)
    : m_(context)
    , m_metrics(std::make_unique<Metrics>(context.backend)) {
    Metrics *metrics = m_metrics.get();
    SseHub *hub = m_.hub;
    metrics->setSubscriberCount([hub] { return hub->subscriberCount(); });
    // The Responder answers every request (the watchdog's 504s, the shutdown's 503s and the
    // WebSocket upgrades too), with the route template the server matched.
    m_.out->setObserver(
        [metrics](const QByteArray &method, const QString &route, int status, qint64 ns) {
            metrics->countRequest(method, route, status, double(ns) / 1e9);
        });
}

// The RestServer deletes its Responder (which answers what is still waiting, through the
// observer) before its APIs: the metrics outlive every answer.
MetricsApi::~MetricsApi() = default;

void MetricsApi::addRoutes(RouteTable &routes) {
    routes.add("GET", "/metrics", m_.settings->metricsOpen ? Access::Open : Access::Read,
               {.name = "metrics",
                .tag = "monitoring",
                .summary = "Prometheus metrics",
                .description = "The state of every service, agent and Docker container and the "
                               "API's own request counts, in Prometheus' text format, from "
                               "what the daemon already knows (a scrape calls no agent and "
                               "not Docker). Open without a token when api.metrics_open is "
                               "set.",
                .contentType = Metrics::kContentType},
               [this](HttpExchange *ex, const PathParams &) -> std::optional<ApiError> {
                   m_.out->reply(ex, 200, m_metrics->scrape(), Metrics::kContentType);
                   return {};
               });
}

} // namespace sm

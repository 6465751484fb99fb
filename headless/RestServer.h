#pragma once

#include "api/ApiContext.h"
#include "http/AuditTrail.h"
#include "http/Auth.h"
#include "http/HttpFront.h"
#include "http/RouteTable.h"

#include <QObject>

#include <memory>

namespace sm {

class Backend;
class DockerApi;
class DocsApi;
class EventApi;
class HistoryApi;
class Metrics;
class MetricsApi;
class ReadCoalescer;
class Responder;
class ServiceApi;
class SseHub;

// system-managerd's REST API (rest-api.md) over a Backend: the HTTP machinery of http/ and
// the routes of api/, one class per scope. Every request is routed, authorized and bounded
// here; a handler's returned error is answered here too.
class RestServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RestServer)
public:
    RestServer(Backend *backend, RestSettings settings, QObject *parent = nullptr);
    ~RestServer() override;

    quint16 listen(const QHostAddress &address, quint16 port);
    const RouteTable &routes() const { return m_routes; }
    const SseHub *eventHub() const { return m_hub; }
    Metrics *metrics() const;
    // Where audit entries go besides the log (the history store).
    void setAuditSink(AuditTrail::Sink sink) { m_audit.setSink(std::move(sink)); }

private:
    void handle(HttpExchange *exchange);
    std::optional<ApiError> check(HttpExchange *exchange, const RouteTable::Match &match,
                                  HeaderList &extra) const;

    RestSettings m_settings;
    HttpFront m_front;
    RouteTable m_routes;
    Auth m_auth;
    AuditTrail m_audit{m_auth};
    Responder *m_out;
    ReadCoalescer *m_reads;
    SseHub *m_hub;
    std::unique_ptr<EventApi> m_events;
    std::unique_ptr<ServiceApi> m_services;
    std::unique_ptr<DockerApi> m_docker;
    std::unique_ptr<DocsApi> m_docs;
    std::unique_ptr<HistoryApi> m_history;
    std::unique_ptr<MetricsApi> m_metrics;
};

} // namespace sm

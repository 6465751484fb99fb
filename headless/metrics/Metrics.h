#pragma once

#include "DeathCounter.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace sm {

class Backend;
class DockerState;

// The daemon's Prometheus metrics (rest-api.md, "Metrics"): one prometheus-cpp registry with
// every family, written out by its TextSerializer. A scrape asks nobody: the services' and
// agents' series come from the Backend's live snapshot (what the monitor already holds, as
// GET /events starts from), Docker's from DockerState; the counters grow from the Backend's
// signals and from the answers the REST server gives.
class Metrics final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Metrics)
public:
    // The `route` of requests that matched no route: one label, whatever the path.
    static constexpr const char *kUnmatchedRoute = "unmatched";
    // Prometheus' text exposition format.
    static constexpr const char *kContentType = "text/plain; version=0.0.4; charset=utf-8";

    explicit Metrics(Backend *backend, QObject *parent = nullptr);
    ~Metrics() override;

    // Where system_manager_docker_* come from; the daemon tells it when Docker's stream opens.
    DockerState *docker() const { return m_docker; }
    // Where system_manager_event_subscribers comes from (the /events streams).
    void setSubscriberCount(std::function<int()> count) { m_subscribers = std::move(count); }

    // One answered request: `route` is its route template, empty when none matched.
    void countRequest(const QByteArray &method, const QString &route, int status, double seconds);
    // One request or connection the listener refused before routing (400, 413, 431, 503).
    void countRefusal(int status);

    // Every series as of now, in the text format.
    QByteArray scrape();

private:
    void observe(const ServiceStatus &status);
    void forget(const QString &container, const QString &service);

    struct Families; // prometheus-cpp stays inside Metrics.cpp
    std::unique_ptr<Families> m_;
    Backend *m_backend;
    DockerState *m_docker;
    DeathCounter m_deaths;
    std::function<int()> m_subscribers;
};

} // namespace sm

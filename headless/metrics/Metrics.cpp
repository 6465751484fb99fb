#include "Metrics.h"

#include "DockerState.h"
#include "backend/Backend.h"

#include <QDateTime>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <set>

namespace sm {

namespace {

using prometheus::Labels;

std::string utf8(const QString &text) {
    return text.toStdString();
}

Labels serviceLabels(const QString &container, const QString &service) {
    return {{"container", utf8(container)}, {"service", utf8(service)}};
}

// What one request counter is kept under; its parts are shared, not copied.
struct RequestKey {
    QByteArray method;
    QString route;
    int code = 0;
    bool operator==(const RequestKey &) const = default;
};

size_t qHash(const RequestKey &key, size_t seed = 0) {
    return qHashMulti(seed, key.method, key.route, key.code);
}

// Seconds the service has been up (0 while down). `since`, the time of its last up/down
// change, keeps counting between the agent's events, which come only when the state changes;
// an agent without it is polled, so its uptime_seconds is fresh.
double uptimeSeconds(const ServiceStatus &status, const QDateTime &now) {
    if (!status.isUp)
        return 0;
    if (status.since) {
        const QDateTime since = QDateTime::fromString(*status.since, Qt::ISODate);
        if (since.isValid())
            return double(std::max<qint64>(0, since.secsTo(now)));
    }
    return double(std::max<qint64>(0, status.uptimeSeconds.value_or(0)));
}

// The series of one gauge family that follow the live state: a scrape sets those that exist
// now, then sweep() drops the rest (a removed service, a Docker container that is gone).
class GaugeSeries final {
public:
    explicit GaugeSeries(prometheus::Family<prometheus::Gauge> &family)
        : m_family(family) {}

    void set(const Labels &labels, double value) {
        auto [it, added] = m_series.try_emplace(labels, nullptr);
        if (added)
            it->second = &m_family.Add(labels);
        it->second->Set(value);
        m_current.insert(labels);
    }

    void sweep() {
        for (auto it = m_series.begin(); it != m_series.end();) {
            if (m_current.count(it->first)) {
                ++it;
                continue;
            }
            m_family.Remove(it->second);
            it = m_series.erase(it);
        }
        m_current.clear();
    }

private:
    prometheus::Family<prometheus::Gauge> &m_family;
    std::map<Labels, prometheus::Gauge *> m_series;
    std::set<Labels> m_current;
};

prometheus::Family<prometheus::Gauge> &gauge(prometheus::Registry &registry, const char *name,
                                             const char *help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

// Request durations: the daemon answers most reads in well under a millisecond, an agent
// call takes up to api.request_timeout_ms (5 s by default).
const prometheus::Histogram::BucketBoundaries kDurationBuckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

} // namespace

struct Metrics::Families {
    prometheus::Registry registry;

    GaugeSeries serviceUp{gauge(registry, "system_manager_service_up",
                                "Whether the s6 service has a running process (1) or not (0)")};
    GaugeSeries serviceWantUp{
        gauge(registry, "system_manager_service_want_up",
              "Whether s6-supervise is asked to keep the service up (when the agent tells)")};
    GaugeSeries serviceReady{
        gauge(registry, "system_manager_service_ready",
              "Whether the service signalled readiness (when the agent tells)")};
    GaugeSeries serviceCrashLoop{gauge(registry, "system_manager_service_crash_loop",
                                       "Whether the service is crash-looping (1) or not (0)")};
    GaugeSeries serviceUptime{gauge(registry, "system_manager_service_uptime_seconds",
                                    "Seconds the service has been up; 0 while it is down")};
    prometheus::Family<prometheus::Counter> &deaths =
        prometheus::BuildCounter()
            .Name("system_manager_service_deaths_total")
            .Help("Deaths of the service seen by this daemon since it started watching it")
            .Register(registry);
    std::map<Labels, prometheus::Counter *> deathSeries;

    GaugeSeries agentUp{gauge(registry, "system_manager_agent_up",
                              "Whether the container's s6-agent answers (1) or not (0)")};
    prometheus::Gauge &dockerUp =
        gauge(registry, "system_manager_docker_up",
              "Whether the Docker Engine's event stream is open (1) or not (0)")
            .Add({});
    GaugeSeries dockerRunning{
        gauge(registry, "system_manager_docker_container_running",
              "Whether the Docker container runs (1) or not (0); none while Docker is down")};

    prometheus::Family<prometheus::Counter> &requests =
        prometheus::BuildCounter()
            .Name("system_manager_http_requests_total")
            .Help("Answered REST requests, by method, route template and status code")
            .Register(registry);
    QHash<RequestKey, prometheus::Counter *> requestSeries;
    prometheus::Family<prometheus::Histogram> &durations =
        prometheus::BuildHistogram()
            .Name("system_manager_http_request_duration_seconds")
            .Help("Time from a REST request to its answer (a stream: its start), by route "
                  "template")
            .Register(registry);
    QHash<QString, prometheus::Histogram *> durationSeries; // by route
    prometheus::Family<prometheus::Counter> &refusals =
        prometheus::BuildCounter()
            .Name("system_manager_http_refusals_total")
            .Help("Requests and connections the listener refused before routing, by status "
                  "code (400 not HTTP, 413 body too large, 431 header too large, 503 too many "
                  "connections)")
            .Register(registry);
    std::map<int, prometheus::Counter *> refusalSeries; // by code
    prometheus::Gauge &subscribers =
        gauge(registry, "system_manager_event_subscribers", "Open GET /events streams").Add({});

    Families() {
        gauge(registry, "system_manager_build_info", "The daemon's version, as a label")
            .Add({{"version", SM_VERSION}})
            .Set(1);
        // Every code the listener refuses with is there from the start, at 0: a rate over a
        // series that appears only with its first refusal misses that refusal.
        for (const int code : {400, 413, 431, 503})
            refusalSeries[code] = &refusals.Add({{"code", std::to_string(code)}});
    }
};

Metrics::Metrics(Backend *backend, QObject *parent)
    : QObject(parent)
    , m_(std::make_unique<Families>())
    , m_backend(backend)
    , m_docker(new DockerState(backend, this)) {
    connect(backend, &Backend::serviceChanged, this, &Metrics::observe);
    connect(backend, &Backend::serviceRemoved, this, &Metrics::forget);
    for (const ServiceStatus &status : backend->liveSnapshot().services)
        observe(status);
}

Metrics::~Metrics() = default;

void Metrics::observe(const ServiceStatus &status) {
    const int deaths = m_deaths.observe(status);
    const Labels labels = serviceLabels(status.container, status.service);
    auto [it, added] = m_->deathSeries.try_emplace(labels, nullptr);
    if (added)
        it->second = &m_->deaths.Add(labels);
    if (deaths > 0)
        it->second->Increment(deaths);
}

void Metrics::forget(const QString &container, const QString &service) {
    m_deaths.forget(container, service);
    const auto it = m_->deathSeries.find(serviceLabels(container, service));
    if (it == m_->deathSeries.end())
        return;
    m_->deaths.Remove(it->second);
    m_->deathSeries.erase(it);
}

void Metrics::countRequest(const QByteArray &method, const QString &route, int status,
                           double seconds) {
    const QString name = route.isEmpty() ? QString::fromLatin1(kUnmatchedRoute) : route;
    prometheus::Counter *&count = m_->requestSeries[RequestKey{method, name, status}];
    if (!count)
        count = &m_->requests.Add({{"method", method.toStdString()},
                                   {"route", utf8(name)},
                                   {"code", std::to_string(status)}});
    count->Increment();
    prometheus::Histogram *&duration = m_->durationSeries[name];
    if (!duration)
        duration = &m_->durations.Add({{"route", utf8(name)}}, kDurationBuckets);
    duration->Observe(seconds);
}

void Metrics::countRefusal(int status) {
    prometheus::Counter *&count = m_->refusalSeries[status];
    if (!count)
        count = &m_->refusals.Add({{"code", std::to_string(status)}});
    count->Increment();
}

QByteArray Metrics::scrape() {
    const LiveSnapshot live = m_backend->liveSnapshot();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const ServiceStatus &status : live.services) {
        // The monitor keeps the newest status even when only the death tally changed (no
        // serviceChanged then): count what it shows.
        observe(status);
        const Labels labels = serviceLabels(status.container, status.service);
        m_->serviceUp.set(labels, status.isUp ? 1 : 0);
        if (status.wantUp)
            m_->serviceWantUp.set(labels, *status.wantUp ? 1 : 0);
        if (status.ready)
            m_->serviceReady.set(labels, *status.ready ? 1 : 0);
        m_->serviceCrashLoop.set(labels, status.crashLooping() ? 1 : 0);
        m_->serviceUptime.set(labels, uptimeSeconds(status, now));
    }
    for (GaugeSeries *series : {&m_->serviceUp, &m_->serviceWantUp, &m_->serviceReady,
                                &m_->serviceCrashLoop, &m_->serviceUptime})
        series->sweep();

    for (const auto &[container, reachable] : live.agents)
        m_->agentUp.set({{"container", utf8(container)}}, reachable ? 1 : 0);
    m_->agentUp.sweep();

    m_->dockerUp.Set(m_docker->isUp() ? 1 : 0);
    const QMap<QString, bool> &running = m_docker->running();
    for (auto it = running.cbegin(); it != running.cend(); ++it)
        m_->dockerRunning.set({{"name", utf8(it.key())}}, it.value() ? 1 : 0);
    m_->dockerRunning.sweep();

    m_->subscribers.Set(m_subscribers ? m_subscribers() : 0);
    return QByteArray::fromStdString(
        prometheus::TextSerializer().Serialize(m_->registry.Collect()));
}

} // namespace sm

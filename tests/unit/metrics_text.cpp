// GET /metrics over a RestServer and FakeBackend: the series' names, labels and values from
// the live state, deaths counted from what the statuses show (and never going down), request
// counts labelled by route template, /events subscribers, Docker from one list plus events,
// the token rules with and without api.metrics_open, and that a scrape asks the backend nothing.
#include "headless_fixture.h"
#include "http/SseHub.h"
#include "live_sseclient.h"
#include "metrics/DockerState.h"
#include "metrics/Metrics.h"

#include <QDateTime>
#include <QRegularExpression>

namespace {

// "name{label="value",...}" → value, for every sample line of a text exposition.
QHash<QString, double> samples(const QByteArray &text) {
    QHash<QString, double> out;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        out.insert(QString::fromUtf8(line.left(space)), line.mid(space + 1).toDouble());
    }
    return out;
}

QString svc(const char *name, const char *container, const char *service) {
    return QStringLiteral("%1{container=\"%2\",service=\"%3\"}").arg(name, container, service);
}

ServiceDeath death(const char *time, int exitCode) {
    return ServiceDeath{time, exitCode, std::nullopt};
}

// The agent's reading of the death tally, on a status.
ServiceStatus tally(ServiceStatus s, int lastMinute, std::optional<ServiceDeath> last) {
    s.deathsLastMinute = lastMinute;
    s.lastDeath = std::move(last);
    s.deathFieldsReported = true;
    return s;
}

} // namespace

class MetricsTextTest final : public RestFixture {
    Q_OBJECT

    // The live state the fake backend reports, as a StatusMonitor would hold it.
    LiveSnapshot m_live;

    void start(RestSettings settings = {}) {
        m_live = {};
        startServer(settings);
        m_backend->setLiveSnapshot([this] { return m_live; });
    }

    // A status arrives: kept as the newest, then signalled, as the monitor does.
    void push(const ServiceStatus &status) {
        bool known = false;
        for (ServiceStatus &s : m_live.services) {
            if (s.container == status.container && s.service == status.service) {
                s = status;
                known = true;
            }
        }
        if (!known)
            m_live.services.append(status);
        Q_EMIT m_backend->serviceChanged(status);
    }

    void remove(const QString &container, const QString &service) {
        m_live.services.removeIf([&](const ServiceStatus &s) {
            return s.container == container && s.service == service;
        });
        Q_EMIT m_backend->serviceRemoved(container, service);
    }

    QHash<QString, double> scrape(const HeaderList &headers = {}) {
        const Answer a = call("GET", "/metrics", {}, headers);
        if (a.status != 200)
            qWarning() << "GET /metrics:" << a.status << a.body;
        return samples(a.body);
    }

    double deaths(const char *service) {
        return scrape().value(svc("system_manager_service_deaths_total", "ai_worker", service), -1);
    }

private Q_SLOTS:
    void init() { start(); }
    void cleanup() { tearDown(); }

    void serviceAndAgentSeries() {
        ServiceStatus web = makeStatus("ai_worker", "web", true, 100);
        web.ready = true;
        web.since = QDateTime::currentDateTimeUtc().addSecs(-42).toString(Qt::ISODate);
        web.uptimeSeconds = 1; // as the agent's event said long ago; since keeps counting
        ServiceStatus crasher = makeStatus("ai_worker", "crasher", false, 0, true);
        ServiceStatus idle = makeStatus("ai_worker", "idle", false);
        idle.exitCode.reset(); // never started
        idle.wantUp = false;
        ServiceStatus old = makeStatus("perception", "legacy", true, 7);
        old.wantUp.reset(); // an older agent: no extended fields
        old.normallyUp.reset();
        old.uptimeSeconds = 9;
        for (const ServiceStatus &s : {web, crasher, idle, old})
            push(s);
        m_live.agents = {{"ai_worker", true}, {"perception", false}};

        const Answer a = call("GET", "/metrics");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.headers.value("content-type"), QByteArray(Metrics::kContentType));
        const QHash<QString, double> m = samples(a.body);

        QCOMPARE(m.value(svc("system_manager_service_up", "ai_worker", "web")), 1.0);
        QCOMPARE(m.value(svc("system_manager_service_up", "ai_worker", "crasher")), 0.0);
        QCOMPARE(m.value(svc("system_manager_service_up", "ai_worker", "idle")), 0.0);
        QCOMPARE(m.value(svc("system_manager_service_up", "perception", "legacy")), 1.0);
        QCOMPARE(m.value(svc("system_manager_service_want_up", "ai_worker", "web")), 1.0);
        QCOMPARE(m.value(svc("system_manager_service_want_up", "ai_worker", "crasher")), 1.0);
        QCOMPARE(m.value(svc("system_manager_service_want_up", "ai_worker", "idle")), 0.0);
        // What an agent does not tell is not made up.
        QVERIFY(!m.contains(svc("system_manager_service_want_up", "perception", "legacy")));
        QVERIFY(!m.contains(svc("system_manager_service_ready", "perception", "legacy")));
        QCOMPARE(m.value(svc("system_manager_service_ready", "ai_worker", "web")), 1.0);
        QCOMPARE(m.value(svc("system_manager_service_crash_loop", "ai_worker", "crasher")),
                 crasher.crashLooping() ? 1.0 : 0.0);
        QCOMPARE(m.value(svc("system_manager_service_crash_loop", "ai_worker", "web")), 0.0);
        QCOMPARE(m.value(svc("system_manager_service_crash_loop", "ai_worker", "idle")), 0.0);
        const double uptime =
            m.value(svc("system_manager_service_uptime_seconds", "ai_worker", "web"));
        QVERIFY2(uptime >= 42 && uptime <= 45, qPrintable(QString::number(uptime)));
        QCOMPARE(m.value(svc("system_manager_service_uptime_seconds", "perception", "legacy")),
                 9.0);
        QCOMPARE(m.value(svc("system_manager_service_uptime_seconds", "ai_worker", "crasher")),
                 0.0);
        for (const char *s : {"web", "crasher", "idle"})
            QCOMPARE(m.value(svc("system_manager_service_deaths_total", "ai_worker", s), -1), 0.0);

        QCOMPARE(m.value("system_manager_agent_up{container=\"ai_worker\"}", -1), 1.0);
        QCOMPARE(m.value("system_manager_agent_up{container=\"perception\"}", -1), 0.0);
        QCOMPARE(m.value("system_manager_docker_up", -1), 0.0);
        QCOMPARE(m.value("system_manager_event_subscribers", -1), 0.0);
        QCOMPARE(m.value("system_manager_build_info{version=\"" SM_VERSION "\"}", -1), 1.0);

        // A service the agent no longer lists, and an agent that is no longer known, go away.
        remove("ai_worker", "idle");
        m_live.agents = {{"ai_worker", true}};
        const QHash<QString, double> after = scrape();
        for (const char *name :
             {"system_manager_service_up", "system_manager_service_want_up",
              "system_manager_service_crash_loop", "system_manager_service_uptime_seconds",
              "system_manager_service_deaths_total"})
            QVERIFY2(!after.contains(svc(name, "ai_worker", "idle")), name);
        QVERIFY(after.contains(svc("system_manager_service_up", "ai_worker", "web")));
        QVERIFY(!after.contains("system_manager_agent_up{container=\"perception\"}"));
    }

    void everyFamilyNamedAndTyped() {
        ServiceStatus web = makeStatus("ai_worker", "web", true, 100);
        web.ready = false;
        push(web);
        m_live.agents = {{"ai_worker", true}};
        m_server->metrics()->docker()->setUp(true);
        QCOMPARE(call("GET", "/").status, 200); // a request counted before the scrape
        QTRY_VERIFY(
            scrape().contains("system_manager_docker_container_running{name=\"ai_worker\"}"));
        const QByteArray text = call("GET", "/metrics").body;
        for (const char *type :
             {"# TYPE system_manager_service_up gauge",
              "# TYPE system_manager_service_want_up gauge",
              "# TYPE system_manager_service_ready gauge",
              "# TYPE system_manager_service_crash_loop gauge",
              "# TYPE system_manager_service_uptime_seconds gauge",
              "# TYPE system_manager_service_deaths_total counter",
              "# TYPE system_manager_agent_up gauge", "# TYPE system_manager_docker_up gauge",
              "# TYPE system_manager_docker_container_running gauge",
              "# TYPE system_manager_http_requests_total counter",
              "# TYPE system_manager_http_request_duration_seconds histogram",
              "# TYPE system_manager_http_refusals_total counter",
              "# TYPE system_manager_event_subscribers gauge",
              "# TYPE system_manager_build_info gauge"})
            QVERIFY2(text.contains(type), type);
        for (const char *code : {"400", "413", "431", "503"})
            QVERIFY2(text.contains("system_manager_http_refusals_total{code=\"" + QByteArray(code) +
                                   "\"} 0\n"),
                     code);
        // Nothing but our families, and every sample is one of them.
        static const QRegularExpression names("^(?:# (?:HELP|TYPE) )?([a-z_]+)",
                                              QRegularExpression::MultilineOption);
        for (auto it = names.globalMatch(QString::fromUtf8(text)); it.hasNext();) {
            const QString name = it.next().captured(1);
            QVERIFY2(name.startsWith(u"system_manager_"), qPrintable(name));
        }
    }

    void deathsCountedNeverDecrease() {
        const ServiceStatus web = tally(makeStatus("ai_worker", "web", true, 100), 0, {});
        push(web);
        QCOMPARE(deaths("web"), 0.0);

        // Up to down: one death, and the tally says the same one (not two).
        const ServiceStatus down =
            tally(makeStatus("ai_worker", "web", false), 1, death("2026-01-07T10:00:00Z", 1));
        push(down);
        QCOMPARE(deaths("web"), 1.0);
        QCOMPARE(deaths("web"), 1.0); // scraping again counts nothing more

        // Back up: no death.
        push(tally(makeStatus("ai_worker", "web", true, 101), 1, down.lastDeath));
        QCOMPARE(deaths("web"), 1.0);

        // Up again with another pid, the down in between unseen: the tally tells.
        push(tally(makeStatus("ai_worker", "web", true, 102), 2, death("2026-01-07T10:00:05Z", 1)));
        QCOMPARE(deaths("web"), 2.0);

        // Three deaths merged into one event: the tally's count rose by three.
        const ServiceStatus merged =
            tally(makeStatus("ai_worker", "web", false), 5, death("2026-01-07T10:00:09Z", 1));
        push(merged);
        QCOMPARE(deaths("web"), 5.0);

        // Deaths aging out of the last minute lower the agent's count, not ours.
        const ServiceStatus aged = tally(merged, 1, merged.lastDeath);
        push(aged);
        QCOMPARE(deaths("web"), 5.0);
        // As many aged out as came: the newest death still shows as a new last death.
        const ServiceStatus same = tally(aged, 1, death("2026-01-07T10:01:30Z", 2));
        push(same);
        QCOMPARE(deaths("web"), 6.0);
        // s6-svdt-clear empties the tally: nothing died.
        const ServiceStatus cleared = tally(same, 0, {});
        push(cleared);
        QCOMPARE(deaths("web"), 6.0);

        // An older agent without the tally: up to down still counts.
        push(makeStatus("ai_worker", "legacy", true, 5));
        push(makeStatus("ai_worker", "legacy", false));
        QCOMPARE(deaths("legacy"), 1.0);

        // A tally change that came without a state change (no serviceChanged): the scrape
        // reads the newest status from the live state and counts it there.
        m_live.services.first() = tally(cleared, 1, death("2026-01-07T10:02:00Z", 1));
        QCOMPARE(deaths("web"), 7.0);

        // A removed service's counter goes away; one of the same name starts afresh.
        remove("ai_worker", "web");
        QCOMPARE(deaths("web"), -1.0);
        push(web);
        QCOMPARE(deaths("web"), 0.0);
    }

    void requestsByRouteTemplate() {
        push(makeStatus("ai_worker", "web", true, 100));
        m_backend->agents["ai_worker"].statuses = {makeStatus("ai_worker", "web", true, 100)};
        QCOMPARE(call("GET", "/containers/ai_worker/services/web/status").status, 200);
        QCOMPARE(call("GET", "/containers/ai_worker/services/web/status").status, 200);
        QCOMPARE(call("GET", "/containers/ai_worker/services/status").status, 200);
        QCOMPARE(call("GET", "/no/such/path").status, 404);
        QCOMPARE(call("GET", "/another/unknown").status, 404);
        QCOMPARE(call("DELETE", "/containers").status, 405);
        QCOMPARE(call("OPTIONS", "/containers/ai_worker/services/web", {},
                      {{"Origin", "http://ui:3000"}, {"Access-Control-Request-Method", "POST"}})
                     .status,
                 204);

        const Answer a = call("GET", "/metrics");
        const QHash<QString, double> m = samples(a.body);
        const auto requests = [&](const char *method, const char *route, int code) {
            return m.value(QStringLiteral("system_manager_http_requests_total{code=\"%1\","
                                          "method=\"%2\",route=\"%3\"}")
                               .arg(code)
                               .arg(method, route),
                           -1);
        };
        QCOMPARE(requests("GET", "/containers/{container}/services/{service}/status", 200), 2.0);
        QCOMPARE(requests("GET", "/containers/{container}/services/status", 200), 1.0);
        QCOMPARE(requests("GET", "unmatched", 404), 2.0);
        QCOMPARE(requests("DELETE", "/containers", 405), 1.0);
        QCOMPARE(requests("OPTIONS", "/containers/{container}/services/{service}", 204), 1.0);
        // No raw path ever becomes a label.
        static const QRegularExpression route("route=\"([^\"]*)\"");
        for (auto it = route.globalMatch(QString::fromUtf8(a.body)); it.hasNext();) {
            const QString label = it.next().captured(1);
            QVERIFY2(label == u"unmatched" || label.startsWith(u'/'), qPrintable(label));
            QVERIFY2(!label.contains(u"ai_worker") && !label.contains(u"web") &&
                         !label.contains(u"no/such"),
                     qPrintable(label));
        }
        const QString count = QStringLiteral("system_manager_http_request_duration_seconds_count{"
                                             "route=\"/containers/{container}/services/{service}/"
                                             "status\"}");
        QCOMPARE(m.value(count), 2.0);
        QCOMPARE(m.value("system_manager_http_request_duration_seconds_bucket{route=\"unmatched\","
                         "le=\"+Inf\"}"),
                 2.0);

        // The counters only grow: this scrape counts the one before it.
        const QHash<QString, double> next = scrape();
        QCOMPARE(next.value("system_manager_http_requests_total{code=\"200\",method=\"GET\","
                            "route=\"/metrics\"}"),
                 m.value("system_manager_http_requests_total{code=\"200\",method=\"GET\","
                         "route=\"/metrics\"}",
                         0) +
                     1);
        for (auto it = m.cbegin(); it != m.cend(); ++it) {
            if (it.key().startsWith(u"system_manager_http_requests_total"))
                QVERIFY2(next.value(it.key()) >= it.value(), qPrintable(it.key()));
        }
    }

    void scrapesAskTheBackendNothing() {
        push(makeStatus("ai_worker", "web", true, 100));
        m_live.agents = {{"ai_worker", true}};
        m_backend->calls.clear();
        for (int i = 0; i < 5; ++i)
            QVERIFY(scrape().contains(svc("system_manager_service_up", "ai_worker", "web")));
        QCOMPARE(m_backend->calls, QStringList());
    }

    void eventSubscribers() {
        auto *first = new SseTestClient(this);
        auto *second = new SseTestClient(this);
        first->get(m_port, "/events");
        second->get(m_port, "/events");
        QTRY_COMPARE(m_server->eventHub()->subscriberCount(), 2);
        QCOMPARE(scrape().value("system_manager_event_subscribers"), 2.0);
        delete first;
        QTRY_COMPARE(scrape().value("system_manager_event_subscribers"), 1.0);
        delete second;
        QTRY_COMPARE(scrape().value("system_manager_event_subscribers"), 0.0);
    }

    void dockerFromOneListAndEvents() {
        DockerState *docker = m_server->metrics()->docker();
        m_backend->dockerList.append(
            {QString(64, u'c'), "db", "exited", "db:1", "2024-01-01T00:00:00Z"});
        m_backend->calls.clear();
        docker->setUp(true);
        QTRY_COMPARE(
            scrape().value("system_manager_docker_container_running{name=\"ai_worker\"}", -1), 1.0);
        QHash<QString, double> m = scrape();
        QCOMPARE(m.value("system_manager_docker_up"), 1.0);
        QCOMPARE(m.value("system_manager_docker_container_running{name=\"db\"}", -1), 0.0);

        const auto event = [this](const char *name, const char *action) {
            Q_EMIT m_backend->dockerEvent({name, action, "2024-01-01T00:00:00Z"});
        };
        event("ai_worker", "kill"); // survivable: still running
        QCOMPARE(scrape().value("system_manager_docker_container_running{name=\"ai_worker\"}"),
                 1.0);
        event("ai_worker", "die");
        event("db", "start");
        event("new", "create");
        m = scrape();
        QCOMPARE(m.value("system_manager_docker_container_running{name=\"ai_worker\"}", -1), 0.0);
        QCOMPARE(m.value("system_manager_docker_container_running{name=\"db\"}", -1), 1.0);
        QCOMPARE(m.value("system_manager_docker_container_running{name=\"new\"}", -1), 0.0);
        event("new", "destroy");
        QVERIFY(!scrape().contains("system_manager_docker_container_running{name=\"new\"}"));
        // One list when the stream opened; the scrapes asked nothing.
        QCOMPARE(m_backend->calls, QStringList({"docker-list 1"}));

        // Docker gone: nothing is known of its containers.
        docker->setUp(false);
        m = scrape();
        QCOMPARE(m.value("system_manager_docker_up", -1), 0.0);
        QVERIFY(!m.contains("system_manager_docker_container_running{name=\"db\"}"));
    }

    void dockerEventsDuringTheListWin() {
        DockerState *docker = m_server->metrics()->docker();
        m_backend->delayMs = -1; // hold the list's answer
        docker->setUp(true);
        QTRY_VERIFY(m_backend->pendingAnswer);
        // The list was taken before this event: the event is newer.
        Q_EMIT m_backend->dockerEvent({"ai_worker", "die", "2024-01-01T00:00:01Z"});
        m_backend->pendingAnswer();
        QTRY_VERIFY(
            scrape().contains("system_manager_docker_container_running{name=\"ai_worker\"}"));
        QCOMPARE(scrape().value("system_manager_docker_container_running{name=\"ai_worker\"}"),
                 0.0);
    }

    void viewerTokenUnlessMetricsOpen() {
        RestSettings settings;
        settings.tokens = {{"wall", "viewer-token", Role::Viewer}};
        start(settings);
        QCOMPARE(call("GET", "/metrics").status, 401);
        QCOMPARE(call("GET", "/metrics", {}, {{"Authorization", "Bearer wrong"}}).status, 401);
        const Answer ok = call("GET", "/metrics", {}, {{"Authorization", "Bearer viewer-token"}});
        QCOMPARE(ok.status, 200);
        QVERIFY(ok.body.contains("system_manager_build_info"));

        settings.metricsOpen = true;
        start(settings);
        QCOMPARE(call("GET", "/metrics").status, 200);
        QCOMPARE(call("GET", "/containers").status, 401); // only /metrics is open
    }

    void openApiDescribesMetrics() {
        const QJsonObject doc = call("GET", "/openapi.json").json();
        const QJsonObject get =
            doc.value("paths").toObject().value("/metrics").toObject().value("get").toObject();
        QCOMPARE(get.value("operationId").toString(), QString("metrics_metrics_get"));
        QCOMPARE(get.value("tags").toArray(), QJsonArray({"monitoring"}));
        const QJsonObject content =
            get.value("responses").toObject().value("200").toObject().value("content").toObject();
        QCOMPARE(content.keys(), QStringList({Metrics::kContentType}));
        QVERIFY(get.value("responses").toObject().contains("401"));
    }
};

QTEST_GUILESS_MAIN(MetricsTextTest)
#include "metrics_text.moc"

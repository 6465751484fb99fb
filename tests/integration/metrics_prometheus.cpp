// GET /metrics end to end: Debian's prometheus scrapes the built system-managerd every second
// over a real s6 tree and the project's s6-agent, with the alert rules shipped in
// packaging/prometheus. Its query API shows the services' series with the values the REST API
// gives, a service made to crash-loop fires the crash-loop alert and stopping it resolves it;
// promtool accepts a /metrics body.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QUrlQuery>

#include <cmath>

namespace {

// The daemon lets a scraper in without a token (api.metrics_open); other reads need this one.
constexpr const char *kViewerToken = "viewer-secret";

QString executable(const char *name) {
    return QStandardPaths::findExecutable(QLatin1String(name));
}

quint16 freeLoopbackPort() {
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// The shipped rules with only their `for:` durations shortened: the test waits seconds, not
// minutes. Everything else, expressions included, is the shipped text.
QByteArray withShortFor(const QByteArray &rules) {
    static const QRegularExpression forLine(QStringLiteral("^([ \\t]*for:)[ \\t]*\\S+[ \\t]*$"),
                                            QRegularExpression::MultilineOption);
    return QString::fromUtf8(rules).replace(forLine, QStringLiteral("\\1 1s")).toUtf8();
}

} // namespace

// Debian's prometheus on a free loopback port, its config, rules and storage in a temp dir.
class PrometheusProcess final {
public:
    PrometheusProcess() = default;
    ~PrometheusProcess() { stop(); }
    PrometheusProcess(const PrometheusProcess &) = delete;
    PrometheusProcess &operator=(const PrometheusProcess &) = delete;

    QString dir() const { return m_dir.path(); }
    quint16 port() const { return m_port; }
    QByteArray output() { return m_process ? m_output += m_process->readAll() : m_output; }

    // Starts it on `config` and waits until it says it is ready; another port if the first
    // was taken meanwhile.
    bool start(const QByteArray &config) {
        QFile file(m_dir.filePath("prometheus.yml"));
        if (!file.open(QIODevice::WriteOnly) || file.write(config) != config.size())
            return false;
        file.close();
        for (int attempt = 0; attempt < 3; ++attempt) {
            m_port = freeLoopbackPort();
            m_process = std::make_unique<QProcess>();
            m_process->setProcessChannelMode(QProcess::MergedChannels);
            m_process->setProgram(executable("prometheus"));
            m_process->setArguments(
                {"--config.file=" + file.fileName(),
                 "--storage.tsdb.path=" + m_dir.filePath("data"),
                 QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port),
                 "--log.level=warn"});
            m_process->start();
            if (!m_process->waitForStarted(10000))
                return false;
            // Ready, or gone (its port taken: another attempt on another port).
            bool ready = false;
            const bool settled = QTest::qWaitFor(
                [&] {
                    ready =
                        m_process->state() == QProcess::Running && get("/-/ready").status == 200;
                    return ready || m_process->state() != QProcess::Running;
                },
                30000);
            if (settled && ready)
                return true;
            m_output += m_process->readAll();
            stop();
        }
        return false;
    }

    void stop() {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(15000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }

    DaemonAnswer get(const QByteArray &pathAndQuery) {
        DaemonClient client(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
        return client.call("GET", pathAndQuery, {}, {}, 5000);
    }

    // The instant vector of a PromQL query (empty on any failure).
    QJsonArray query(const QString &promql) {
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), promql);
        const DaemonAnswer a = get("/api/v1/query?" + q.toString(QUrl::FullyEncoded).toUtf8());
        return a.json().value("data").toObject().value("result").toArray();
    }
    // The value of a query that selects one series; NaN when it selects none or several.
    double value(const QString &promql) {
        const QJsonArray result = query(promql);
        if (result.size() != 1)
            return std::nan("");
        return result.first().toObject().value("value").toArray().at(1).toString().toDouble();
    }
    // The state of `alertname` for `service` ("pending", "firing"), empty when not active.
    QString alertState(const QString &alertname, const QString &service) {
        const QJsonArray alerts =
            get("/api/v1/alerts").json().value("data").toObject().value("alerts").toArray();
        for (const QJsonValue &alert : alerts) {
            const QJsonObject labels = alert.toObject().value("labels").toObject();
            if (labels.value("alertname").toString() == alertname &&
                labels.value("service").toString() == service)
                return alert.toObject().value("state").toString();
        }
        return {};
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

class MetricsPrometheusTest final : public QObject {
    Q_OBJECT

    S6Tree m_tree;
    AgentProcess m_agent;
    DaemonProcess m_daemon;
    PrometheusProcess m_prometheus;
    std::unique_ptr<DaemonClient> m_client;

    // A service's series as Prometheus has it from its last scrape.
    double series(const char *name, const char *service) {
        return m_prometheus.value(QStringLiteral("%1{job=\"system-manager\",container=\"robot\","
                                                 "service=\"%2\"}")
                                      .arg(QLatin1String(name), QLatin1String(service)));
    }

    QJsonObject restStatus(const char *service) {
        return m_client
            ->call("GET", QByteArray("/containers/robot/services/") + service + "/status", {},
                   {{"Authorization", QByteArray("Bearer ") + kViewerToken}})
            .json();
    }

private Q_SLOTS:
    void initTestCase() {
        if (executable("prometheus").isEmpty() || executable("promtool").isEmpty())
            QSKIP("prometheus or promtool is missing (apt-get install prometheus)");
        QVERIFY(m_tree.isValid());
        QVERIFY(m_tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        S6ServiceOptions down;
        down.downFile = true;
        QVERIFY(m_tree.addService("idle", "#!/bin/sh\nexec sleep 100000\n", down));
        // Dies at once whenever started: s6 restarts it about once a second.
        QVERIFY(m_tree.addService("crasher", "#!/bin/sh\nexit 3\n", down));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY(m_tree.waitUntilUp("web"));
        QVERIFY2(m_agent.start(agentOptions(m_tree)), qPrintable(m_agent.errorString()));

        const QByteArray config =
            "containers:\n  - name: robot\n    socket_path: " + m_agent.socketPath().toUtf8() +
            "\ndocker:\n  socket_path: " + m_daemon.dir().toUtf8() +
            "/no-docker.sock\n"
            "api:\n  metrics_open: true\n  tokens:\n"
            "    - {name: wall, token: " +
            kViewerToken + ", role: viewer}\n";
        QVERIFY2(m_daemon.startWithConfig(config, {"--quiet"}), m_daemon.allStderr().constData());
        m_client = std::make_unique<DaemonClient>(m_daemon.baseUrl());

        QFile shipped(QStringLiteral(SM_SOURCE_DIR "/packaging/prometheus/alerts.yml"));
        QVERIFY(shipped.open(QIODevice::ReadOnly));
        const QByteArray rules = withShortFor(shipped.readAll());
        QVERIFY(rules.contains("for: 1s") && !rules.contains("for: 1m"));
        QFile copy(m_prometheus.dir() + "/alerts.yml");
        QVERIFY(copy.open(QIODevice::WriteOnly) && copy.write(rules) == rules.size());
        copy.close();
        const QByteArray target = QUrl(m_daemon.baseUrl()).authority().toUtf8();
        const QByteArray prometheusConfig =
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
            "rule_files:\n  - " +
            copy.fileName().toUtf8() +
            "\nscrape_configs:\n  - job_name: system-manager\n    static_configs:\n"
            "      - targets: [\"" +
            target + "\"]\n";
        QVERIFY2(m_prometheus.start(prometheusConfig), m_prometheus.output().constData());
    }

    void cleanupTestCase() {
        m_prometheus.stop();
        if (!m_client)
            return; // skipped, or it never got that far (the destructors clean up)
        m_client.reset();
        QCOMPARE(m_daemon.stop(), 0);
        QVERIFY(m_agent.stop());
        QVERIFY(m_tree.stop());
    }

    void scrapedSeriesMatchTheApi() {
        QTRY_COMPARE_WITH_TIMEOUT(m_prometheus.value("up{job=\"system-manager\"}"), 1.0, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_up", "web"), 1.0, 10000);
        for (const char *service : {"web", "idle", "crasher"}) {
            const QJsonObject status = restStatus(service);
            QVERIFY2(status.contains("is_up"), service);
            const double up = status.value("is_up").toBool() ? 1 : 0;
            const double wantUp = status.value("want_up").toBool() ? 1 : 0;
            const double ready = status.value("ready").toBool() ? 1 : 0;
            QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_up", service), up, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_want_up", service), wantUp,
                                      5000);
            QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_ready", service), ready, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_crash_loop", service), 0.0,
                                      5000);
            QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_deaths_total", service), 0.0,
                                      5000);
        }
        QCOMPARE(restStatus("web").value("is_up").toBool(), true);
        QCOMPARE(restStatus("idle").value("want_up").toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(series("system_manager_service_uptime_seconds", "web") >= 1,
                                 10000);
        QCOMPARE(series("system_manager_service_uptime_seconds", "idle"), 0.0);
        QCOMPARE(m_prometheus.value("system_manager_agent_up{container=\"robot\"}"), 1.0);
        QCOMPARE(m_prometheus.value("system_manager_docker_up"), 0.0);
        QCOMPARE(m_prometheus.value("system_manager_event_subscribers"), 0.0);
        QCOMPARE(m_prometheus.value("system_manager_build_info{version=\"" SM_VERSION "\"}"), 1.0);
        // Prometheus' own scrapes (each counted once answered: the next scrape shows it), and
        // the status reads above, by route template.
        QTRY_VERIFY_WITH_TIMEOUT(m_prometheus.value("system_manager_http_requests_total{method="
                                                    "\"GET\",route=\"/metrics\",code=\"200\"}") >=
                                     1,
                                 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_prometheus.value(
                "system_manager_http_requests_total{method=\"GET\",route=\"/"
                "containers/{container}/services/{service}/status\",code=\"200\"}") >= 3,
            5000);
    }

    void metricsBodyPassesPromtool() {
        // Open to a scraper without a token; the other reads still need one.
        QCOMPARE(m_client->get("/containers").status, 401);
        const DaemonAnswer metrics = m_client->get("/metrics");
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains(
            "system_manager_service_up{container=\"robot\",service=\"web\"} 1"));
        QProcess promtool;
        promtool.setProcessChannelMode(QProcess::MergedChannels);
        promtool.start(executable("promtool"), {"check", "metrics"});
        QVERIFY(promtool.waitForStarted(10000));
        promtool.write(metrics.body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        const QByteArray said = promtool.readAll();
        QVERIFY2(promtool.exitStatus() == QProcess::NormalExit && promtool.exitCode() == 0,
                 said.constData());
    }

    void crashLoopFiresThenStopResolves() {
        QVERIFY(m_tree.svc("crasher", "-u"));
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus.alertState("SystemManagerServiceCrashLooping", "crasher"),
            QString("firing"), 30000);
        QCOMPARE(m_prometheus.value("max_over_time(system_manager_service_crash_loop{service="
                                    "\"crasher\"}[10s])"),
                 1.0);
        QTRY_VERIFY_WITH_TIMEOUT(series("system_manager_service_deaths_total", "crasher") >= 2,
                                 10000);
        // Nothing else crash-loops.
        QCOMPARE(m_prometheus.alertState("SystemManagerServiceCrashLooping", "web"), QString());

        QVERIFY(m_tree.svc("crasher", "-d"));
        QTRY_COMPARE_WITH_TIMEOUT(
            m_prometheus.alertState("SystemManagerServiceCrashLooping", "crasher"), QString(),
            20000);
        QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_want_up", "crasher"), 0.0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(series("system_manager_service_crash_loop", "crasher"), 0.0,
                                  5000);
        // The counter kept every death it saw: it never went down, at any scrape.
        const double deaths = series("system_manager_service_deaths_total", "crasher");
        QVERIFY(deaths >= 2);
        QCOMPARE(m_prometheus.value("resets(system_manager_service_deaths_total{service="
                                    "\"crasher\"}[1m])"),
                 0.0);
    }
};

QTEST_GUILESS_MAIN(MetricsPrometheusTest)
#include "metrics_prometheus.moc"

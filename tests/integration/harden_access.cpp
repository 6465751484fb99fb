// api.tokens end to end through system-managerd and a real agent: tokens from the config
// (inline and token_file), 401/403/200 by role, open routes, the loud warning and /healthz's
// "warning" when listening beyond loopback without tokens (and neither when tokens guard it,
// unless api.metrics_open leaves /metrics open), and no token in the access log. Config errors
// about tokens exit 2 with file:line:column.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

namespace {

const QByteArray kViewer = "v-7c1d0e5b2a";
const QByteArray kOperator = "op-41f0aa93cd";

QList<QPair<QByteArray, QByteArray>> bearer(const QByteArray &token) {
    return {{"Authorization", "Bearer " + token}};
}

} // namespace

class HardenAccessTest final : public QObject {
    Q_OBJECT

private:
    S6Tree m_tree;
    AgentProcess m_agent;
    QTemporaryDir m_tmp;

    QByteArray baseConfig() const {
        return "containers:\n  - name: robot\n    socket_path: " + m_agent.socketPath().toUtf8() +
               "\ndocker:\n  socket_path: " + m_tmp.filePath("no-docker.sock").toUtf8() + "\n";
    }
    QByteArray tokenConfig() const {
        QFile file(m_tmp.filePath("operator.token"));
        if (file.open(QIODevice::WriteOnly))
            file.write(kOperator + "\n");
        return baseConfig() + "api:\n  tokens:\n    - name: dashboard\n      token: " + kViewer +
               "\n      role: viewer\n    - name: fleet\n      token_file: " +
               file.fileName().toUtf8() + "\n      role: operator\n";
    }
    // Runs the daemon to completion on a bad config; returns exit code and stderr.
    static QPair<int, QByteArray> runBad(const QString &configPath) {
        QProcess daemon;
        daemon.start(DaemonProcess::binary(), {"--config", configPath, "--listen", "127.0.0.1:0"});
        QSignalSpy finished(&daemon, &QProcess::finished);
        if (!finished.wait(10000))
            return {-1, {}};
        return {daemon.exitCode(), daemon.readAllStandardError()};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY2(m_agent.start(agentOptions(m_tree)), qPrintable(m_agent.errorString()));
    }
    void cleanupTestCase() {
        QVERIFY(m_agent.stop());
        QVERIFY(m_tree.stop());
    }

    void rolesEndToEnd() {
        DaemonProcess daemon;
        QVERIFY(daemon.startWithConfig(tokenConfig()));
        DaemonClient client(daemon.baseUrl());
        const QByteArray status = "/containers/robot/services/web/status";

        const DaemonAnswer none = client.get(status);
        QCOMPARE(none.status, 401);
        QCOMPARE(none.header("WWW-Authenticate"), QByteArray("Bearer"));
        QCOMPARE(keyOrder(none.body), QStringList({"error", "detail"}));
        QCOMPARE(client.call("GET", status, {}, bearer("guess")).status, 401);
        QCOMPARE(client.call("GET", status, {}, bearer(kViewer)).status, 200);
        QCOMPARE(client.call("GET", status, {}, bearer(kOperator)).status, 200); // from the file

        const QByteArray restart = R"({"action":"restart"})";
        const DaemonAnswer viewer =
            client.call("POST", "/containers/robot/services/web", restart, bearer(kViewer));
        QCOMPARE(viewer.status, 403);
        QCOMPARE(keyOrder(viewer.body), QStringList({"error", "detail"}));
        QCOMPARE(client.call("POST", "/containers/robot/services/web", restart, bearer(kOperator))
                     .status,
                 200);
        for (const char *open : {"/", "/healthz", "/openapi.json", "/docs", "/redoc"})
            QCOMPARE(client.get(open).status, 200);

        // Listening on loopback with tokens: no warning anywhere.
        QVERIFY(!client.get("/healthz").json().contains("warning"));
        QCOMPARE(daemon.stop(), 0);
        const QByteArray log = daemon.allStderr();
        QVERIFY2(log.contains("GET /containers/robot/services/web/status 401 "), log.constData());
        QVERIFY(!log.contains(kViewer) && !log.contains(kOperator) && !log.contains("guess"));
        QVERIFY(!log.contains("WARNING"));
    }

    void beyondLoopbackWithoutTokensWarns() {
        DaemonProcess daemon;
        QFile file(daemon.dir() + "/config.yml");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(baseConfig());
        file.close();
        QVERIFY(daemon.start({"--config", file.fileName(), "--listen", "0.0.0.0:0", "-q"}));
        const QString port = daemon.baseUrl().section(u':', -1);
        DaemonClient client(QStringLiteral("http://127.0.0.1:") + port);
        const DaemonAnswer health = client.get("/healthz");
        QCOMPARE(health.status, 200);
        // Additive: the documented fields first, in order, then the warning.
        QCOMPARE(keyOrder(health.body), QStringList({"status", "agents", "docker", "warning"}));
        QVERIFY2(health.json().value("warning").toString().contains("without access tokens"),
                 health.body.constData());
        QCOMPARE(daemon.stop(), 0);
        const QByteArray err = daemon.allStderr();
        QVERIFY2(err.contains("WARNING: the API on http://0.0.0.0:") &&
                     err.contains("no access control"),
                 err.constData());
    }

    // api.metrics_open beyond loopback: /metrics is open, the rest is not, and it is said.
    void beyondLoopbackWithMetricsOpenWarns() {
        DaemonProcess daemon;
        QFile file(daemon.dir() + "/config.yml");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(tokenConfig() + "  metrics_open: true\n");
        file.close();
        QVERIFY(daemon.start({"--config", file.fileName(), "--listen", "0.0.0.0:0", "-q"}));
        const QString port = daemon.baseUrl().section(u':', -1);
        DaemonClient client(QStringLiteral("http://127.0.0.1:") + port);
        QCOMPARE(client.get("/metrics").status, 200);
        QCOMPARE(client.get("/containers").status, 401);
        const DaemonAnswer health = client.get("/healthz");
        QCOMPARE(health.json().value("warning").toString(),
                 QString("The API listens on 0.0.0.0 with /metrics open without a token "
                         "(api.metrics_open)"));
        QCOMPARE(daemon.stop(), 0);
        const QByteArray err = daemon.allStderr();
        QVERIFY2(err.contains("WARNING: GET http://0.0.0.0:") && err.contains("/metrics is open"),
                 err.constData());
    }

    void beyondLoopbackWithTokensIsQuiet() {
        DaemonProcess daemon;
        QFile file(daemon.dir() + "/config.yml");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(tokenConfig());
        file.close();
        QVERIFY(daemon.start({"--config", file.fileName(), "--listen", "0.0.0.0:0", "-q"}));
        const QString port = daemon.baseUrl().section(u':', -1);
        DaemonClient client(QStringLiteral("http://127.0.0.1:") + port);
        QVERIFY(!client.get("/healthz").json().contains("warning"));
        QCOMPARE(daemon.stop(), 0);
        QVERIFY(!daemon.allStderr().contains("WARNING"));
    }

    void tokenConfigErrors_data() {
        QTest::addColumn<QByteArray>("api");
        QTest::addColumn<QByteArray>("expected");
        QTest::addRow("empty token_file")
            << QByteArray("    - name: a\n      token_file: empty.token\n      role: viewer\n")
            << QByteArray(":5:19: token_file ");
        QTest::addRow("missing token_file")
            << QByteArray("    - name: a\n      token_file: nope.token\n      role: viewer\n")
            << QByteArray(":5:19: cannot read token_file ");
        QTest::addRow("bad role")
            << QByteArray("    - name: a\n      token: t\n      role: admin\n")
            << QByteArray(":6:13: api.tokens[0].role must be 'viewer' or 'operator'");
    }
    void tokenConfigErrors() {
        QFETCH(QByteArray, api);
        QFETCH(QByteArray, expected);
        QTemporaryDir dir;
        QFile empty(dir.filePath("empty.token"));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.write("\n  \n");
        empty.close();
        QFile config(dir.filePath("config.yml"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("containers: []\napi:\n  tokens:\n" + api);
        config.close();
        const auto [code, err] = runBad(config.fileName());
        QCOMPARE(code, 2);
        QCOMPARE(err.count('\n'), 1);
        QVERIFY2(err.startsWith(QFile::encodeName(config.fileName()) + expected), err.constData());
    }
};

QTEST_MAIN(HardenAccessTest)
#include "harden_access.moc"

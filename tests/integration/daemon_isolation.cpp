// One hung agent must only delay its own requests: while 50 requests are pending on an agent
// that accepts and never answers, a healthy real agent keeps answering, a missing socket
// answers 503, `/` keeps answering, and the hung requests get the agent's 504 at the deadline.
// Misbehaving peers (hung, garbage, 5xx) are purpose-built QLocalServers in this process.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

#include <QLocalServer>
#include <QLocalSocket>

#include <algorithm>

namespace {

constexpr int kTimeoutMs = 1500;
// A deadline beyond anything this test waits for (and beyond its CTest timeout): requests on
// the hung agent provably stay pending for as long as the test looks.
constexpr int kNeverMs = 120000;
constexpr int kHealthyRounds = 20;

// A peer that accepts connections and answers each request with `reply` (never, if empty).
class FakeAgent final : public QObject {
public:
    FakeAgent(const QString &path, QByteArray reply)
        : m_reply(std::move(reply)) {
        m_server.listen(path);
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *socket = m_server.nextPendingConnection()) {
                ++m_connections;
                if (m_reply.isEmpty())
                    continue; // hung: keep it open, read nothing, say nothing
                connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
                    socket->readAll();
                    socket->write(m_reply);
                    socket->disconnectFromServer();
                });
            }
        });
    }
    bool listening() const { return m_server.isListening(); }
    int connections() const { return m_connections; }

private:
    QLocalServer m_server;
    QByteArray m_reply;
    int m_connections = 0;
};

} // namespace

class DaemonIsolationTest final : public QObject {
    Q_OBJECT

private:
    S6Tree m_tree;
    AgentProcess m_agent;
    QTemporaryDir m_tmp;
    std::unique_ptr<FakeAgent> m_hung, m_garbage, m_failing, m_badJson;
    DaemonProcess m_daemon;

    QByteArray config(int requestTimeoutMs) const {
        QByteArray config = "containers:\n";
        const auto add = [&config](const char *name, const QString &socket) {
            config +=
                "  - name: " + QByteArray(name) + "\n    socket_path: " + socket.toUtf8() + "\n";
        };
        add("healthy", m_agent.socketPath());
        add("hung", m_tmp.filePath("hung.sock"));
        add("missing", m_tmp.filePath("missing.sock"));
        add("garbage", m_tmp.filePath("garbage.sock"));
        add("failing", m_tmp.filePath("failing.sock"));
        add("badjson", m_tmp.filePath("badjson.sock"));
        config += "docker:\n  socket_path: " + m_tmp.filePath("no-docker.sock").toUtf8() +
                  "\napi:\n  request_timeout_ms: " + QByteArray::number(requestTimeoutMs) + "\n";
        return config;
    }

    // Fifty requests on the hung agent, all open at once: ten client pools of five
    // (QNetworkAccessManager keeps at most six connections per host).
    static QList<QNetworkReply *> sendHung(const QString &base,
                                           std::vector<std::unique_ptr<DaemonClient>> &pools) {
        QList<QNetworkReply *> hung;
        for (int i = 0; i < 10; ++i) {
            pools.push_back(std::make_unique<DaemonClient>(base));
            for (int j = 0; j < 5; ++j)
                hung.append(pools.back()->send("GET", "/containers/hung/services/status"));
        }
        return hung;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY2(m_agent.start(agentOptions(m_tree)), qPrintable(m_agent.errorString()));
        m_hung = std::make_unique<FakeAgent>(m_tmp.filePath("hung.sock"), QByteArray());
        m_garbage =
            std::make_unique<FakeAgent>(m_tmp.filePath("garbage.sock"), "SPEAKING NO HTTP\r\n\r\n");
        const QByteArray boom = "{\"error\":\"boom\",\"detail\":null}";
        m_failing = std::make_unique<FakeAgent>(
            m_tmp.filePath("failing.sock"),
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
                QByteArray::number(boom.size()) + "\r\n\r\n" + boom);
        m_badJson =
            std::make_unique<FakeAgent>(m_tmp.filePath("badjson.sock"),
                                        "HTTP/1.1 200 OK\r\nContent-Type: "
                                        "application/json\r\nContent-Length: 8\r\n\r\nnot json");
        QVERIFY(m_hung->listening() && m_garbage->listening() && m_failing->listening() &&
                m_badJson->listening());

        QVERIFY2(m_daemon.startWithConfig(config(kTimeoutMs), {"--quiet"}),
                 m_daemon.allStderr().constData());
    }

    void cleanupTestCase() {
        QCOMPARE(m_daemon.stop(), 0);
        QVERIFY(m_agent.stop());
        QVERIFY(m_tree.stop());
    }

    void hungAgentDelaysOnlyItself() {
        // This daemon never gives up on the hung agent while the test looks, so every answer
        // below arrives while the hung requests are still outstanding.
        DaemonProcess patient;
        QVERIFY2(patient.startWithConfig(config(kNeverMs), {"--quiet"}),
                 patient.allStderr().constData());
        std::vector<std::unique_ptr<DaemonClient>> pools;
        const int connectionsBefore = m_hung->connections();
        const QList<QNetworkReply *> hung = sendHung(patient.baseUrl(), pools);
        const auto hungPending = [&hung] {
            return std::none_of(hung.begin(), hung.end(),
                                [](const QNetworkReply *r) { return r->isFinished(); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(m_hung->connections() > connectionsBefore, 10000);

        // Meanwhile the healthy agent answers, `/` answers, and the missing socket is a 503.
        DaemonClient client(patient.baseUrl());
        QList<qint64> healthy;
        for (int i = 0; i < kHealthyRounds; ++i) {
            const DaemonAnswer a = client.get("/containers/healthy/services/web/status");
            QCOMPARE(a.status, 200);
            QVERIFY(a.json().value("is_up").toBool());
            healthy.append(a.ms);
            const DaemonAnswer root = client.get("/");
            QCOMPARE(root.status, 200);
            QVERIFY(hungPending());
        }
        const DaemonAnswer missing = client.get("/containers/missing/services/status");
        QCOMPARE(missing.status, 503);
        QVERIFY(hungPending());
        std::sort(healthy.begin(), healthy.end());
        qInfo("healthy agent while 50 requests hang: %lld requests, median %lld ms, max %lld ms",
              qint64(healthy.size()), healthy[healthy.size() / 2], healthy.last());
        qDeleteAll(hung);
        QCOMPARE(patient.stop(), 0);
    }

    void hungRequestsEndAtTheDeadline() {
        std::vector<std::unique_ptr<DaemonClient>> pools;
        QElapsedTimer clock;
        clock.start();
        const QList<QNetworkReply *> hung = sendHung(m_daemon.baseUrl(), pools);
        QList<qint64> hungDone(hung.size(), -1);
        for (qsizetype i = 0; i < hung.size(); ++i)
            connect(hung[i], &QNetworkReply::finished, this,
                    [&hungDone, i, &clock] { hungDone[i] = clock.elapsed(); });

        // The wait only guards against requests that are never answered.
        QTRY_VERIFY_WITH_TIMEOUT(std::count(hungDone.begin(), hungDone.end(), -1) == 0, 30000);
        for (qsizetype i = 0; i < hung.size(); ++i) {
            const DaemonAnswer a = DaemonClient::collect(hung[i]);
            QCOMPARE(a.status, 504);
            QCOMPARE(keyOrder(a.body), QStringList({"error", "detail"}));
            QVERIFY2(hungDone[i] >= kTimeoutMs - 100, qPrintable(QString::number(hungDone[i])));
            // The agent's deadline ended them, not the watchdog that comes after it.
            QCOMPARE(
                a.json().value("error").toString(),
                QString("Agent for container 'hung' did not answer within %1 ms").arg(kTimeoutMs));
        }
        qInfo("hung requests: first 504 after %lld ms, last after %lld ms",
              *std::min_element(hungDone.begin(), hungDone.end()),
              *std::max_element(hungDone.begin(), hungDone.end()));
        qDeleteAll(hung);
        // And the daemon is still fine.
        DaemonClient client(m_daemon.baseUrl());
        QCOMPARE(client.get("/containers/healthy/services/web/status").status, 200);
    }

    void misbehavingAgents_data() {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("status");
        QTest::addRow("garbage") << QByteArray("/containers/garbage/services/status") << 502;
        QTest::addRow("5xx") << QByteArray("/containers/failing/services/x/status") << 502;
        QTest::addRow("not JSON") << QByteArray("/containers/badjson/services/status") << 502;
        QTest::addRow("missing") << QByteArray("/containers/missing/services") << 503;
        QTest::addRow("hung") << QByteArray("/containers/hung/services/x/logs") << 504;
    }
    void misbehavingAgents() {
        QFETCH(QByteArray, path);
        QFETCH(int, status);
        DaemonClient client(m_daemon.baseUrl());
        const DaemonAnswer a = client.get(path);
        QCOMPARE(a.status, status);
        QCOMPARE(keyOrder(a.body), QStringList({"error", "detail"}));
        QVERIFY(!a.json().value("error").toString().isEmpty());
    }

    void clientsLeavingEarlyCostNothing() {
        // Clients that give up before the hung agent's deadline must not crash the daemon.
        DaemonClient client(m_daemon.baseUrl());
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 5; ++i)
            replies.append(client.send("GET", "/containers/hung/services/status"));
        QTRY_VERIFY_WITH_TIMEOUT(m_hung->connections() > 0, 2000);
        for (QNetworkReply *reply : replies)
            reply->abort();
        qDeleteAll(replies);
        // Past the deadline the late answers find no client; the daemon keeps serving.
        DaemonClient other(m_daemon.baseUrl());
        const DaemonAnswer late = other.get("/containers/hung/services/status");
        QCOMPARE(late.status, 504);
        QCOMPARE(other.get("/").status, 200);
        QCOMPARE(m_daemon.process()->state(), QProcess::Running);
    }
};

QTEST_GUILESS_MAIN(DaemonIsolationTest)
#include "daemon_isolation.moc"

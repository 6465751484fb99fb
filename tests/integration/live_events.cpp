// GET /events end to end: the built system-managerd over a real s6 tree and the project's
// s6-agent. A killed service shows up as a `service` event (from the daemon's status poll),
// 200 subscribers all get it, and an agent that goes away and comes back is reported.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "backend/RemoteBackend.h"
#include "live_support.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <limits>
#include <memory>

namespace {

QJsonObject json(const QString &text) {
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

// The latest `service` event for `name` that a client has seen, if any.
QJsonObject lastServiceEvent(const SseTestClient &client, const QString &name) {
    const QStringList events = client.data("service");
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        const QJsonObject object = json(*it);
        if (object.value("service").toString() == name)
            return object;
    }
    return {};
}

} // namespace

class LiveEventsTest final : public QObject {
    Q_OBJECT

    S6Tree m_tree;
    AgentProcess m_agent;
    AgentProcess::Options m_agentOptions;
    LiveDaemon m_daemon;

    // Kills `web` with s6-svc -k; `latencyMs` becomes the time until the last of the clients
    // received a `service` event for it (a new pid or down), by the events' arrival times.
    // `fanOutMs` is the spread between the first and the last client's arrival.
    void killAndWait(const QList<SseTestClient *> &clients, int timeoutMs, qint64 &latencyMs,
                     qint64 &fanOutMs) {
        latencyMs = fanOutMs = -1;
        QList<qsizetype> seen;
        for (SseTestClient *client : clients)
            seen.append(client->events.size());
        const qint64 pid = lastServiceEvent(*clients.first(), "web").value("pid").toInteger();
        QVERIFY(pid > 0);
        const qint64 start = SseTestClient::nowMs();
        QVERIFY(m_tree.svc("web", "-k"));
        // The arrival time of the first event about `web` in another state, per client.
        auto arrival = [&](int i) -> qint64 {
            const SseTestClient *client = clients[i];
            for (qsizetype e = seen[i]; e < client->events.size(); ++e) {
                const QJsonObject object = json(client->events[e].data);
                if (client->events[e].event == u"service" &&
                    object.value("service").toString() == u"web" &&
                    (!object.value("is_up").toBool() || object.value("pid").toInteger() != pid))
                    return client->eventAtMs[e];
            }
            return -1;
        };
        auto allSaw = [&] {
            for (int i = 0; i < clients.size(); ++i) {
                if (arrival(i) < 0)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allSaw(), timeoutMs);
        qint64 first = std::numeric_limits<qint64>::max();
        qint64 last = 0;
        for (int i = 0; i < clients.size(); ++i) {
            first = qMin(first, arrival(i));
            last = qMax(last, arrival(i));
        }
        latencyMs = last - start;
        fanOutMs = last - first;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        QVERIFY(m_tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY(m_tree.addService("db", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY(m_tree.waitUntilUp("web"));
        QVERIFY(m_tree.waitUntilUp("db"));
        m_agentOptions.scanDir = m_tree.scanDir();
        m_agentOptions.logDir = m_tree.logDir();
        m_agentOptions.rcSourceDir = m_tree.scanDir();
        QVERIFY2(m_agent.start(m_agentOptions), qPrintable(m_agent.errorString()));
        m_agentOptions.socketPath = m_agent.socketPath(); // a restart reuses it
        // No Docker here: a socket path that does not exist.
        const QByteArray yaml =
            "containers:\n  - name: robot\n    socket_path: " + m_agent.socketPath().toUtf8() +
            "\ndocker:\n  socket_path: " + m_daemon.dir().toUtf8() + "/no-docker.sock\n";
        QVERIFY2(m_daemon.start(yaml), m_daemon.errors().constData());
    }

    void cleanupTestCase() {
        m_daemon.stop();
        m_agent.stop();
        m_tree.stop();
    }

    void initialStateThenKill() {
        SseTestClient client;
        client.get(m_daemon.port(), "/events");
        QTRY_VERIFY_WITH_TIMEOUT(!lastServiceEvent(client, "db").isEmpty() &&
                                     !lastServiceEvent(client, "web").isEmpty(),
                                 5000);
        QCOMPARE(client.status, 200);
        QCOMPARE(client.header("Content-Type"), QByteArray("text/event-stream"));
        QCOMPARE(client.data("agent").first(),
                 QString(R"({"container":"robot","reachable":true})"));
        const QJsonObject web = lastServiceEvent(client, "web");
        QCOMPARE(web.value("container").toString(), QString("robot"));
        QVERIFY(web.value("is_up").toBool());
        QVERIFY(web.value("raw").toString().startsWith("up (pid "));

        qint64 ms = -1, fanOut = -1;
        killAndWait({&client}, 5000, ms, fanOut);
        if (QTest::currentTestFailed())
            return;
        qInfo("s6-svc -k web -> service event in %lld ms", ms);
    }

    void twoHundredSubscribers() {
        constexpr int count = 200;
        std::vector<std::unique_ptr<SseTestClient>> owned;
        QList<SseTestClient *> clients;
        for (int i = 0; i < count; ++i) {
            owned.push_back(std::make_unique<SseTestClient>());
            clients.append(owned.back().get());
            clients.last()->get(m_daemon.port(), "/events");
        }
        auto allStarted = [&] {
            for (SseTestClient *client : clients) {
                const QJsonObject web = lastServiceEvent(*client, "web");
                if (!web.value("is_up").toBool() || web.value("pid").toInteger() <= 0)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allStarted(), 10000);
        qint64 ms = -1, fanOut = -1;
        killAndWait(clients, 5000, ms, fanOut);
        if (QTest::currentTestFailed())
            return;
        qInfo("%d subscribers: s6-svc -k web -> event at all of them in %lld ms (first to last "
              "%lld ms)",
              count, ms, fanOut);
    }

    // The dashboard's RemoteBackend reads the same stream: the wire formats agree.
    void remoteBackendSeesChanges() {
        sm::RemoteBackend remote(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_daemon.port())));
        QList<sm::ServiceStatus> changes;
        connect(&remote, &sm::Backend::serviceChanged, this,
                [&changes](const sm::ServiceStatus &status) { changes.append(status); });
        QSignalSpy agents(&remote, &sm::Backend::agentReachabilityChanged);
        remote.start();
        QTRY_VERIFY_WITH_TIMEOUT(remote.isStreamingEvents(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(changes.size() >= 2, 5000); // the initial state
        QVERIFY(!agents.isEmpty()); // from /events, and from its own /healthz checks
        for (const QList<QVariant> &agent : std::as_const(agents)) {
            QCOMPARE(agent[0].toString(), QString("robot"));
            QVERIFY(agent[1].toBool());
        }
        const int before = int(changes.size());
        QVERIFY(m_tree.svc("db", "-k"));
        auto dbChange = [&]() -> const sm::ServiceStatus * {
            for (qsizetype i = before; i < changes.size(); ++i) {
                if (changes[i].service == u"db")
                    return &changes[i];
            }
            return nullptr;
        };
        QTRY_VERIFY_WITH_TIMEOUT(dbChange(), 5000);
        const sm::ServiceStatus &db = *dbChange();
        QCOMPARE(db.container, QString("robot"));
        QVERIFY(db.since.has_value()); // the agent's extended fields came through
    }

    void agentGoneAndBack() {
        SseTestClient client;
        client.get(m_daemon.port(), "/events");
        QTRY_COMPARE_WITH_TIMEOUT(client.count("agent"), 1, 5000);
        QVERIFY(m_agent.stop());
        QTRY_COMPARE_WITH_TIMEOUT(client.count("agent"), 2, 5000);
        QCOMPARE(client.data("agent").last(),
                 QString(R"({"container":"robot","reachable":false})"));
        const int before = client.count("service");
        QVERIFY2(m_agent.start(m_agentOptions), qPrintable(m_agent.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(client.count("agent"), 3, 5000);
        QCOMPARE(client.data("agent").last(), QString(R"({"container":"robot","reachable":true})"));
        // Its services come back with it, so the client is never left with a stale list.
        QTRY_VERIFY_WITH_TIMEOUT(client.count("service") >= before + 2, 5000);
    }
};

QTEST_GUILESS_MAIN(LiveEventsTest)
#include "live_events.moc"

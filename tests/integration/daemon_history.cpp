// History and audit end to end: real s6, the real agent and daemon, a real SQLite file in the
// daemon's state directory. A crash is recorded with its signal, a stop as a stop; every write
// request is audited with its token's name and never its value; history outlives the daemon; a
// read-only or full state directory is reported and the daemon keeps serving.
#include "S6Tree.h"
#include "daemon_support.h"

#include <QDir>
#include <QJsonArray>

namespace {

const QByteArray kOperatorToken = "op-secret-4f1c77d2";
const QByteArray kViewerToken = "wall-secret-9a2e0b13";

QList<QPair<QByteArray, QByteArray>> bearer(const QByteArray &token) {
    return {{"Authorization", "Bearer " + token}};
}

QJsonArray list(const DaemonAnswer &answer, const char *key) {
    return answer.json().value(QLatin1String(key)).toArray();
}

// The first item whose fields have these values, or an empty object.
QJsonObject find(const QJsonArray &items, const QJsonObject &fields) {
    for (const QJsonValue &item : items) {
        const QJsonObject o = item.toObject();
        bool all = true;
        for (auto it = fields.begin(); it != fields.end() && all; ++it)
            all = o.value(it.key()) == it.value();
        if (all)
            return o;
    }
    return {};
}

// s6 in a private mount namespace, the state directory a fresh tmpfs mounted over `dir`.
QStringList ownTmpfs(const QString &dir, const QString &options) {
    return {"unshare", "--map-root-user",
            "--mount", "sh",
            "-c",      "mount -t tmpfs -o " + options + " tmpfs \"$0\" && exec \"$@\"",
            dir};
}

} // namespace

class DaemonHistory : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void crashAndStopRecorded();
    void everyWriteAudited();
    void requestedRestartIsNotADeath();
    void keptAcrossRestart();
    void readOnlyStateDirectory();
    void fullDiskReportedAndRecovered();

private:
    QByteArray config(const QString &stateDir, bool tokens = true) const;
    bool startDaemon(DaemonProcess &daemon, const QString &stateDir, bool tokens = true);
    bool waitForAgentKnown(DaemonClient &client, const QList<QPair<QByteArray, QByteArray>> &auth);

    S6Tree m_tree;
    std::unique_ptr<AgentProcess> m_agent;
    QTemporaryDir m_state;
    DaemonProcess m_daemon;
};

QByteArray DaemonHistory::config(const QString &stateDir, bool tokens) const {
    QByteArray yaml = "containers:\n  robot:\n    socket_path: \"" +
                      m_agent->socketPath().toUtf8() + "\"\nstate:\n  dir: \"" + stateDir.toUtf8() +
                      "\"\n";
    if (tokens)
        yaml += "api:\n  tokens:\n    - {name: ops, token: \"" + kOperatorToken +
                "\", role: operator}\n    - {name: wall, token: \"" + kViewerToken +
                "\", role: viewer}\n";
    return yaml;
}

bool DaemonHistory::startDaemon(DaemonProcess &daemon, const QString &stateDir, bool tokens) {
    return daemon.startWithConfig(config(stateDir, tokens));
}

bool DaemonHistory::waitForAgentKnown(DaemonClient &client,
                                      const QList<QPair<QByteArray, QByteArray>> &auth) {
    // The agent's first answer gives the recorder every service's state to compare with.
    return QTest::qWaitFor(
        [&] {
            const DaemonAnswer a = client.call("GET", "/history?container=robot", {}, auth);
            return !find(list(a, "events"), {{"source", "agent"}, {"kind", "reachable"}}).isEmpty();
        },
        15000);
}

void DaemonHistory::initTestCase() {
    QVERIFY(m_tree.isValid());
    QVERIFY(m_tree.addService("crasher", "#!/bin/sh\nexec sleep 100000\n"));
    QVERIFY(m_tree.addService("steady", "#!/bin/sh\nexec sleep 100000\n"));
    QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
    QVERIFY(m_tree.waitUntilUp("crasher"));
    m_agent = std::make_unique<AgentProcess>();
    QVERIFY2(m_agent->start(agentOptions(m_tree)), qPrintable(m_agent->errorString()));
    QVERIFY(m_state.isValid());
    QVERIFY2(startDaemon(m_daemon, m_state.path()), m_daemon.allStderr().constData());
}

void DaemonHistory::cleanupTestCase() {
    QCOMPARE(m_daemon.stop(), 0);
    QVERIFY(m_agent->stop());
    QVERIFY(m_tree.stop());
}

void DaemonHistory::crashAndStopRecorded() {
    DaemonClient client(m_daemon.baseUrl());
    const auto viewer = bearer(kViewerToken);
    QVERIFY(waitForAgentKnown(client, viewer));

    QVERIFY(m_tree.svc("crasher", "-k"));
    QJsonObject died;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const DaemonAnswer a =
                client.call("GET", "/history?container=robot&service=crasher", {}, viewer);
            died = find(list(a, "events"), {{"kind", "died"}});
            return !died.isEmpty();
        },
        15000));
    QCOMPARE(died.value("signal").toString(), QString("SIGKILL"));
    QCOMPARE(died.value("source").toString(), QString("service"));
    QVERIFY(died.value("exit_code").isNull());
    QVERIFY(died.value("id").toInteger() > 0);

    // s6 restarts it.
    QVERIFY(QTest::qWaitFor(
        [&] {
            const DaemonAnswer a =
                client.call("GET", "/history?container=robot&service=crasher", {}, viewer);
            return list(a, "events").first().toObject().value("kind") == QJsonValue("up");
        },
        15000));

    // A stop asked for is a stop, not a death.
    const DaemonAnswer stop = client.call("POST", "/containers/robot/services/crasher",
                                          R"({"action":"down"})", bearer(kOperatorToken));
    QVERIFY2(stop.status == 200, stop.body.constData());
    QJsonArray events;
    const bool stopped = QTest::qWaitFor(
        [&] {
            events = list(client.call("GET", "/history?service=crasher", {}, viewer), "events");
            return !find(events, {{"kind", "down"}}).isEmpty();
        },
        15000);
    QVERIFY2(stopped, QJsonDocument(events).toJson().constData());
    // Newest first; one death only.
    QCOMPARE(events.first().toObject().value("kind").toString(), QString("down"));
    int deaths = 0;
    for (const QJsonValue &e : events)
        deaths += e.toObject().value("kind").toString() == "died";
    QCOMPARE(deaths, 1);
    // Filters and bounds.
    QVERIFY(list(client.call("GET", "/history?service=steady", {}, viewer), "events").isEmpty() ||
            find(list(client.call("GET", "/history?service=steady", {}, viewer), "events"),
                 {{"service", "crasher"}})
                .isEmpty());
    QCOMPARE(list(client.call("GET", "/history?limit=1", {}, viewer), "events").size(), 1);
    QCOMPARE(client.call("GET", "/history?since=yesterday", {}, viewer).status, 422);
    QCOMPARE(client.call("GET", "/history?limit=0", {}, viewer).status, 422);
    QVERIFY(list(client.call("GET", "/history?since=4102444800", {}, viewer), "events").isEmpty());
    QCOMPARE(client.call("GET", "/history").status, 401);
    QVERIFY(m_tree.svc("crasher", "-u"));
}

// s6 carries out a restart as a SIGTERM: asked for through the API, it is recorded as
// "restarted", not as the service dying.
void DaemonHistory::requestedRestartIsNotADeath() {
    DaemonClient client(m_daemon.baseUrl());
    const auto op = bearer(kOperatorToken);
    const auto count = [&](const char *kind) {
        int n = 0;
        const QJsonArray events =
            list(client.call("GET", "/history?service=crasher&limit=10000", {}, op), "events");
        for (const QJsonValue &e : events)
            n += e.toObject().value("kind").toString() == QLatin1String(kind);
        return n;
    };
    const int restartsBefore = count("restarted");
    const int deathsBefore = count("died");
    QVERIFY(m_tree.waitUntilUp("crasher"));
    QCOMPARE(
        client.call("POST", "/containers/robot/services/crasher", R"({"action":"restart"})", op)
            .status,
        200);
    QVERIFY2(QTest::qWaitFor([&] { return count("restarted") == restartsBefore + 1; }, 15000),
             QJsonDocument(list(client.call("GET", "/history?service=crasher", {}, op), "events"))
                 .toJson()
                 .constData());
    const QJsonObject restarted =
        find(list(client.call("GET", "/history?service=crasher", {}, op), "events"),
             {{"kind", "restarted"}});
    QCOMPARE(restarted.value("signal").toString(), QString("SIGTERM"));
    QCOMPARE(restarted.value("detail").toString(),
             QString("restarted on request, killed by SIGTERM"));
    QCOMPARE(count("died"), deathsBefore);
}

void DaemonHistory::everyWriteAudited() {
    DaemonClient client(m_daemon.baseUrl());
    const auto op = bearer(kOperatorToken);
    QCOMPARE(client.call("POST", "/containers/robot/services/steady", R"({"action":"restart"})", op)
                 .status,
             200);
    QCOMPARE(client
                 .call("POST", "/containers/robot/services/steady", R"({"action":"down"})",
                       bearer(kViewerToken))
                 .status,
             403);
    QCOMPARE(
        client.call("POST", "/containers/robot/services/steady", R"({"action":"down"})").status,
        401);
    QCOMPARE(client.call("DELETE", "/containers/robot/services/steady/logs", {}, op).status, 404);
    QCOMPARE(client
                 .call("PUT", "/containers/robot/services/steady/run",
                       R"({"content":"#!/bin/sh\nexec sleep 100000\n"})", op)
                 .status,
             200);

    // The audit is for operators.
    QCOMPARE(client.call("GET", "/audit", {}, bearer(kViewerToken)).status, 403);
    const DaemonAnswer audit = client.call("GET", "/audit?service=steady", {}, op);
    QCOMPARE(audit.status, 200);
    const QJsonArray entries = list(audit, "entries");
    QCOMPARE(entries.size(), 5);
    const QJsonObject restart = find(entries, {{"action", "restart"}});
    QCOMPARE(restart.value("token").toString(), QString("ops"));
    QCOMPARE(restart.value("role").toString(), QString("operator"));
    QCOMPARE(restart.value("status").toInt(), 200);
    QVERIFY(restart.value("error").isNull());
    QCOMPARE(restart.value("client").toString(), QString("127.0.0.1"));
    QCOMPARE(restart.value("method").toString(), QString("POST"));
    QCOMPARE(restart.value("route").toString(),
             QString("/containers/{container}/services/{service}"));
    QCOMPARE(restart.value("target").toString(), QString("robot/steady"));
    const QJsonObject refused = find(entries, {{"role", "viewer"}});
    QCOMPARE(refused.value("token").toString(), QString("wall"));
    QCOMPARE(refused.value("status").toInt(), 403);
    QVERIFY(refused.value("error").toString().contains("viewer"));
    const QJsonObject anonymous = find(entries, {{"role", "none"}});
    QVERIFY(anonymous.value("token").isNull());
    QCOMPARE(anonymous.value("status").toInt(), 401);
    const QJsonObject cleared = find(entries, {{"action", "clear_service_logs"}});
    QCOMPARE(cleared.value("status").toInt(), 404); // no log file: the outcome is kept as is
    QVERIFY(!cleared.value("error").toString().isEmpty());
    QCOMPARE(find(entries, {{"action", "update_service_run_script"}}).value("status").toInt(), 200);
    // Newest first.
    QCOMPARE(entries.first().toObject().value("action").toString(),
             QString("update_service_run_script"));

    // One grep-able line each in the log; no token value anywhere, log or file.
    QVERIFY(QTest::qWaitFor([&] { return m_daemon.allStderr().count("audit:") >= 5; }, 5000));
    QVERIFY(m_daemon.allStderr().contains(
        "audit: token=\"ops\" role=\"operator\" client=\"127.0.0.1\" method=\"POST\" "
        "route=\"/containers/{container}/services/{service}\" target=\"robot/steady\" "
        "action=\"restart\" status=\"200\" error=\"\""));
    QVERIFY(!m_daemon.allStderr().contains(kOperatorToken));
    QVERIFY(!m_daemon.allStderr().contains(kViewerToken));
    for (const QString &name : QDir(m_state.path()).entryList(QDir::Files)) {
        QFile f(m_state.filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY2(!bytes.contains(kOperatorToken) && !bytes.contains(kViewerToken),
                 qPrintable(name));
    }
}

void DaemonHistory::keptAcrossRestart() {
    DaemonClient before(m_daemon.baseUrl());
    const auto op = bearer(kOperatorToken);
    const QJsonObject died = find(
        list(before.call("GET", "/history?service=crasher", {}, op), "events"), {{"kind", "died"}});
    QVERIFY(!died.isEmpty());
    QCOMPARE(m_daemon.stop(), 0);

    QVERIFY2(startDaemon(m_daemon, m_state.path()), m_daemon.allStderr().constData());
    DaemonClient after(m_daemon.baseUrl());
    const QJsonArray events = list(after.call("GET", "/history?service=crasher", {}, op), "events");
    QCOMPARE(find(events, {{"kind", "died"}}), died);
    QCOMPARE(list(after.call("GET", "/audit?service=steady", {}, op), "entries").size(), 5);
    const DaemonAnswer health = after.get("/healthz");
    QCOMPARE(health.json().value("history").toObject().value("state").toString(), QString("ok"));
}

void DaemonHistory::readOnlyStateDirectory() {
    QTemporaryDir mountPoint;
    DaemonProcess daemon;
    daemon.setWrapper(ownTmpfs(mountPoint.path(), "ro,size=64k"));
    QVERIFY2(startDaemon(daemon, mountPoint.path() + "/state", false),
             daemon.allStderr().constData());
    DaemonClient client(daemon.baseUrl());
    QJsonObject history;
    QVERIFY(QTest::qWaitFor(
        [&] {
            history = client.get("/healthz").json().value("history").toObject();
            return history.value("state") == QJsonValue("failing");
        },
        15000));
    QVERIFY2(history.value("error").toString().contains("state"),
             qPrintable(history.value("error").toString()));
    // Everything else answers, history included (from memory).
    QCOMPARE(client.get("/containers/robot/services/crasher/status").status, 200);
    QVERIFY(QTest::qWaitFor(
        [&] {
            return !find(list(client.get("/history"), "events"), {{"kind", "reachable"}}).isEmpty();
        },
        15000));
    QVERIFY(daemon.allStderr().contains("history: "));

    // Without tokens every write route is audited too, as role "open" with no token name.
    QCOMPARE(
        client.call("POST", "/containers/robot/services/steady", R"({"action":"restart"})").status,
        200);
    QCOMPARE(client.call("DELETE", "/containers/robot/services/steady/logs").status, 404);
    QCOMPARE(client
                 .call("PUT", "/containers/robot/services/steady/run",
                       R"({"content":"#!/bin/sh\nexec sleep 100000\n"})")
                 .status,
             200);
    const QJsonArray entries = list(client.get("/audit"), "entries");
    QStringList actions;
    for (const QJsonValue &e : entries) {
        QCOMPARE(e.toObject().value("role").toString(), QString("open"));
        QVERIFY(e.toObject().value("token").isNull());
        actions << e.toObject().value("action").toString();
    }
    QCOMPARE(actions, QStringList({"update_service_run_script", "clear_service_logs", "restart"}));
    QCOMPARE(daemon.stop(), 0);
}

void DaemonHistory::fullDiskReportedAndRecovered() {
    QTemporaryDir mountPoint;
    DaemonProcess daemon;
    // The tmpfs is filled to its last byte before the daemon starts.
    QStringList wrapper = ownTmpfs(mountPoint.path(), "size=256k");
    wrapper[5] = "mount -t tmpfs -o size=256k tmpfs \"$0\" && "
                 "(dd if=/dev/zero of=\"$0/filler\" bs=4096 2>/dev/null; true) && exec \"$@\"";
    daemon.setWrapper(wrapper);
    QVERIFY2(startDaemon(daemon, mountPoint.path() + "/state", false),
             daemon.allStderr().constData());
    DaemonClient client(daemon.baseUrl());

    // Reported, and the history is still answered from memory.
    QJsonObject history;
    QJsonArray whileFull;
    QVERIFY(QTest::qWaitFor(
        [&] {
            history = client.get("/healthz").json().value("history").toObject();
            whileFull = list(client.get("/history"), "events");
            return history.value("state") == QJsonValue("failing") &&
                   !find(whileFull, {{"kind", "reachable"}}).isEmpty();
        },
        30000));
    QVERIFY2(history.value("error").toString().contains("full"),
             qPrintable(QJsonDocument(history).toJson()));
    QCOMPARE(find(whileFull, {{"kind", "reachable"}}).value("id").toInteger(), 0); // in memory
    QCOMPARE(client.get("/containers/robot/services/steady/status").status, 200);
    QVERIFY(daemon.allStderr().contains("history: "));

    // Room again (seen through the daemon's own mounts): what was kept reaches the file.
    const QString filler = QStringLiteral("/proc/%1/root%2/filler")
                               .arg(daemon.process()->processId())
                               .arg(mountPoint.path());
    QVERIFY2(QFile::remove(filler), qPrintable(filler));
    QVERIFY(QTest::qWaitFor(
        [&] {
            history = client.get("/healthz").json().value("history").toObject();
            return history.value("state") == QJsonValue("ok");
        },
        30000));
    QCOMPARE(history.value("dropped").toInt(), 0);
    const QJsonObject stored =
        find(list(client.get("/history"), "events"), {{"kind", "reachable"}});
    QVERIFY(stored.value("id").toInteger() > 0);
    QCOMPARE(daemon.stop(), 0);
}

QTEST_GUILESS_MAIN(DaemonHistory)
#include "daemon_history.moc"

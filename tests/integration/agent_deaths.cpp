// GET /services/{name}/deaths and the death fields of the Status object,
// against what Debian's s6-svdt prints for the same services under a real
// s6-svscan: a service that exits 3 a few times, one killed by signals, one
// that never died, and a tally that is not one.

#include "AgentProcess.h"
#include "S6Tree.h"
#include "agent_client.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");
// Exits 3 on its first three runs, then stays up (s6 runs it in its directory).
const QString kCrashThrice = QStringLiteral("#!/bin/sh\n"
                                            "n=$(cat runs 2>/dev/null || echo 0)\n"
                                            "n=$((n + 1))\n"
                                            "echo $n > runs\n"
                                            "[ $n -le 3 ] && exit 3\n"
                                            "exec sleep 100000\n");

struct SseEvent {
    QByteArray event;
    QJsonObject data;
};

QList<SseEvent> parseEvents(const QByteArray &body) {
    QList<SseEvent> events;
    qsizetype start = 0;
    for (qsizetype end; (end = body.indexOf("\n\n", start)) >= 0; start = end + 2) {
        SseEvent e;
        for (const QByteArray &line : body.mid(start, end - start).split('\n')) {
            if (line.startsWith("event: "))
                e.event = line.mid(7);
            else if (line.startsWith("data: "))
                e.data = QJsonDocument::fromJson(line.mid(6)).object();
        }
        if (!e.event.isEmpty())
            events.append(e);
    }
    return events;
}

QList<QJsonObject> serviceEvents(const QByteArray &body, const QString &name) {
    QList<QJsonObject> out;
    for (const SseEvent &e : parseEvents(body))
        if (e.event == "service" && e.data.value("name") == name)
            out.append(e.data);
    return out;
}

} // namespace

class AgentDeaths final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void exitCodesMatchSvdt();
    void signalsMatchSvdt();
    void freshService();
    void unknownAndInvalidNames();
    void malformedTally();
    void eventsOnDeathNotOnTime();

private:
    HttpReply get(const QString &target) {
        return agentRequest(m_agent.socketPath(), "GET", target.toUtf8());
    }
    QJsonArray deaths(const QString &name) {
        return get("/services/" + name + "/deaths").json().value("deaths").toArray();
    }
    QJsonObject status(const QString &name) { return get("/services/" + name + "/status").json(); }
    // The status object of `name` inside GET /services/status.
    QJsonObject listedStatus(const QString &name) {
        for (const auto &s : get("/services/status").json().value("statuses").toArray())
            if (s.toObject().value("name") == name)
                return s.toObject();
        return {};
    }
    // The pid of the service while it is up, 0 when down: one s6-svstat, one moment.
    qint64 upPid(const QString &name) const {
        const QStringList f = m_tree.svstat(name, {"-o", "up,pid"}).split(' ');
        return f.size() == 2 && f[0] == "true" ? f[1].toLongLong() : 0;
    }
    // The crasher on its last, lasting run: s6-supervise writes a death to the
    // tally before the status says down, so "up with three deaths" alone can
    // still be the third run on its way out.
    bool crasherSettled() {
        QFile runs(m_tree.serviceDir("crasher") + "/runs");
        return runs.open(QIODevice::ReadOnly) && runs.readAll().trimmed() == "4" &&
               m_tree.isUp("crasher") && m_tree.svdtDeaths("crasher").size() == 3;
    }

    S6Tree m_tree;
    AgentProcess m_agent;
};

void AgentDeaths::initTestCase() {
    QVERIFY(m_tree.isValid());
    S6ServiceOptions down;
    down.downFile = true;
    QVERIFY(m_tree.addService("crasher", kCrashThrice));
    QVERIFY(m_tree.addService("killed", kSleep));
    QVERIFY(m_tree.addService("fresh", kSleep));
    QVERIFY(m_tree.addService("mangled", kSleep, down));
    QVERIFY(m_tree.addService("watched", kSleep));
    QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
    QVERIFY2(m_agent.start(m_tree.scanDir(), m_tree.logDir(), m_tree.scanDir()),
             qPrintable(m_agent.errorString()));
}

void AgentDeaths::cleanupTestCase() {
    QVERIFY(m_agent.stop());
    QVERIFY(m_tree.stop());
}

void AgentDeaths::exitCodesMatchSvdt() {
    // Three exits, about a second apart (s6 paces restarts), then up for good.
    QTRY_VERIFY2_WITH_TIMEOUT(
        crasherSettled(),
        qPrintable(m_tree.svstat("crasher") +
                   QStringLiteral(", %1 deaths").arg(m_tree.svdtDeaths("crasher").size())),
        30000);
    const HttpReply reply = get("/services/crasher/deaths");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-type").left(16), QByteArray("application/json"));
    const QJsonObject body = reply.json();
    QCOMPARE(body.keys(), QStringList({"deaths", "service"}));
    QCOMPARE(body.value("service").toString(), QStringLiteral("crasher"));
    const QJsonArray expected = m_tree.svdtDeaths("crasher");
    QCOMPARE(body.value("deaths").toArray(), expected);
    for (const auto &death : expected) {
        QCOMPARE(death.toObject().value("exit_code").toInt(), 3);
        QVERIFY(death.toObject().value("signal").isNull());
    }
    // Newest first: times never increase down the list.
    for (qsizetype i = 1; i < expected.size(); ++i)
        QVERIFY(expected[i - 1].toObject().value("time").toString() >=
                expected[i].toObject().value("time").toString());

    for (const QJsonObject &s : {status("crasher"), listedStatus("crasher")}) {
        QCOMPARE(s.value("deaths_last_minute").toInt(-1), 3);
        QCOMPARE(s.value("last_death").toObject(), expected.first().toObject());
    }
    // After every field the status had before, in this order.
    const QByteArray raw = get("/services/crasher/status").body;
    QVERIFY2(raw.indexOf("\"since\":") < raw.indexOf("\"deaths_last_minute\":"), raw.constData());
    QVERIFY2(raw.indexOf("\"deaths_last_minute\":") < raw.indexOf("\"last_death\":"),
             raw.constData());
    QVERIFY2(raw.indexOf("\"last_death\":") < raw.indexOf("\"deaths_last_hour\":"),
             raw.constData());
    QVERIFY2(raw.endsWith("},\"deaths_last_hour\":3,\"failed\":false}"), raw.constData());
}

void AgentDeaths::signalsMatchSvdt() {
    QVERIFY(m_tree.waitUntilUp("killed"));
    const qint64 pid = upPid("killed");
    QVERIFY(pid > 0);
    QVERIFY(m_tree.svc("killed", "-k"));
    // Restarted with another pid, then stopped: SIGKILL, then SIGTERM.
    qint64 again = 0;
    QTRY_VERIFY_WITH_TIMEOUT((again = upPid("killed")) > 0 && again != pid, 10000);
    QVERIFY(m_tree.svc("killed", "-d"));
    QTRY_COMPARE_WITH_TIMEOUT(m_tree.svdtDeaths("killed").size(), 2, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_tree.isUp("killed"), 10000);

    const QJsonArray expected = m_tree.svdtDeaths("killed");
    QCOMPARE(deaths("killed"), expected);
    QCOMPARE(expected[0].toObject().value("signal").toString(), QStringLiteral("SIGTERM"));
    QCOMPARE(expected[1].toObject().value("signal").toString(), QStringLiteral("SIGKILL"));
    for (const auto &death : expected)
        QVERIFY(death.toObject().value("exit_code").isNull());

    const QJsonObject s = status("killed");
    QCOMPARE(s.value("deaths_last_minute").toInt(-1), 2);
    QCOMPARE(s.value("last_death").toObject(), expected.first().toObject());
    QCOMPARE(s.value("signal").toString(), QStringLiteral("SIGTERM"));
    QCOMPARE(s.value("deaths_last_hour").toInt(-1), 2);
    // Stopped by hand, no finish script: down, not failed.
    QCOMPARE(s.value("failed"), QJsonValue(false));
}

void AgentDeaths::freshService() {
    QVERIFY(m_tree.waitUntilUp("fresh"));
    const HttpReply reply = get("/services/fresh/deaths");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, QByteArray(R"({"service":"fresh","deaths":[]})"));
    QCOMPARE(m_tree.svdtDeaths("fresh"), QJsonArray());
    const QJsonObject s = status("fresh");
    QCOMPARE(s.value("deaths_last_minute").toInt(-1), 0);
    QVERIFY(s.contains("last_death"));
    QVERIFY(s.value("last_death").isNull());
    QCOMPARE(s.value("deaths_last_hour").toInt(-1), 0);
    QCOMPARE(s.value("failed"), QJsonValue(false));
    QCOMPARE(s.keys().size(), 16);
}

void AgentDeaths::unknownAndInvalidNames() {
    const HttpReply unknown = get("/services/nope/deaths");
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.json().value("error").toString(),
             QStringLiteral("Service nope does not exist."));
    QVERIFY(unknown.json().value("detail").isNull());
    QCOMPARE(get("/services/bad..name/deaths").status, 400);
    QCOMPARE(get("/services/%2e%2e/deaths").status, 400);
    const HttpReply post = agentRequest(m_agent.socketPath(), "POST", "/services/fresh/deaths");
    QCOMPARE(post.status, 405);
    QCOMPARE(post.headers.value("allow"), QByteArray("GET"));
}

void AgentDeaths::malformedTally() {
    // A normally-down service that was never started: its s6-supervise has no
    // death to record, so it leaves the garbage written here alone.
    QVERIFY(m_tree.waitUntilSupervised("mangled"));
    QFile tally(m_tree.serviceDir("mangled") + "/supervise/death_tally");
    QVERIFY(tally.open(QIODevice::WriteOnly | QIODevice::Truncate));
    tally.write("garbage, not a death tally");
    tally.close();

    const HttpReply reply = get("/services/mangled/deaths");
    QCOMPARE(reply.status, 500);
    QCOMPARE(reply.json().keys(), QStringList({"detail", "error"}));
    QVERIFY2(reply.json().value("error").toString().contains("malformed"), reply.body.constData());
    // The status still answers; only the death fields are unknown.
    const HttpReply st = get("/services/mangled/status");
    QCOMPARE(st.status, 200);
    QCOMPARE(st.json().value("normally_up").toBool(true), false);
    QVERIFY(st.json().contains("deaths_last_minute"));
    QVERIFY(st.json().value("deaths_last_minute").isNull());
    QVERIFY(st.json().value("last_death").isNull());
    QVERIFY(st.json().value("deaths_last_hour").isNull());
    QCOMPARE(st.json().value("failed"), QJsonValue(false));
    QCOMPARE(get("/services/status").status, 200);

    // Whole records of nonsense are refused as well.
    QVERIFY(tally.open(QIODevice::WriteOnly | QIODevice::Truncate));
    tally.write(QByteArray(28, '\xff'));
    tally.close();
    QCOMPARE(get("/services/mangled/deaths").status, 500);
    QVERIFY(QFile::remove(tally.fileName()));
    QCOMPARE(get("/services/mangled/deaths").body,
             QByteArray(R"({"service":"mangled","deaths":[]})"));
}

void AgentDeaths::eventsOnDeathNotOnTime() {
    QVERIFY(m_tree.waitUntilUp("watched"));
    QTRY_VERIFY_WITH_TIMEOUT(crasherSettled(), 30000);
    AgentConnection events(m_agent.socketPath());
    QVERIFY(events.sendRequest("GET", "/events"));
    QVERIFY(events.readUntil(
        [](const HttpReply &r) { return serviceEvents(r.body, "watched").size() == 1; }));
    const QJsonObject snapshot = serviceEvents(events.current().body, "watched").first();
    QCOMPARE(snapshot.value("deaths_last_minute").toInt(-1), 0);
    QVERIFY(snapshot.value("last_death").isNull());
    const QJsonObject crasher = serviceEvents(events.current().body, "crasher").value(0);
    QCOMPARE(crasher.value("deaths_last_minute").toInt(-1), 3);

    // A death is news: it comes with the death in it, and stays in the events
    // that follow (down, then up again with a new pid).
    const qint64 oldPid = upPid("watched");
    QVERIFY(oldPid > 0);
    QVERIFY(m_tree.svc("watched", "-k"));
    qint64 pid = 0;
    QTRY_VERIFY_WITH_TIMEOUT((pid = upPid("watched")) > 0 && pid != oldPid, 10000);
    QVERIFY(events.readUntil([pid](const HttpReply &r) {
        for (const QJsonObject &s : serviceEvents(r.body, "watched"))
            if (s.value("last_death").toObject().value("signal") == "SIGKILL" &&
                s.value("deaths_last_minute").toInt() == 1 && s.value("pid").toInteger() == pid)
                return true;
        return false;
    }));
    const qsizetype watchedBefore = serviceEvents(events.current().body, "watched").size();

    // Seconds passing are not: two seconds on (counted by the agent's own uptime),
    // and after a change elsewhere has come through, crasher still has its
    // snapshot alone and watched nothing new.
    const qint64 uptime = status("fresh").value("uptime_seconds").toInteger();
    QTRY_VERIFY_WITH_TIMEOUT(status("fresh").value("uptime_seconds").toInteger() >= uptime + 2,
                             10000);
    QVERIFY(m_tree.svc("fresh", "-d"));
    QVERIFY(events.readUntil([](const HttpReply &r) {
        for (const QJsonObject &s : serviceEvents(r.body, "fresh"))
            if (!s.value("is_up").toBool())
                return true;
        return false;
    }));
    QCOMPARE(serviceEvents(events.current().body, "crasher").size(), 1);
    if (serviceEvents(events.current().body, "watched").size() != watchedBefore)
        qWarning().noquote() << events.current().body;
    QCOMPARE(serviceEvents(events.current().body, "watched").size(), watchedBefore);
    QVERIFY(m_tree.svc("fresh", "-u"));
}

QTEST_GUILESS_MAIN(AgentDeaths)
#include "agent_deaths.moc"

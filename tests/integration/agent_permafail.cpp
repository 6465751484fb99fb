// "failed" in the agent's Status object, under a real s6-svscan (Debian's s6): a service whose
// finish script runs s6-permafailon is stopped by it (s6-supervise clears "want up", and its
// status file then looks like any stopped service's); one stopped by hand, whose
// s6-permafailon did not fire, is down but not failed.

#include "AgentProcess.h"
#include "S6Tree.h"
#include "agent_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");
const QString kExit3 = QStringLiteral("#!/bin/sh\nexit 3\n");
// Two deaths with an exit code 1-255 within 60 s: permanent failure.
const QString kPermafail2 = QStringLiteral("#!/bin/sh\nexec s6-permafailon 60 2 1-255 true\n");
const QString kPermafail5 = QStringLiteral("#!/bin/sh\nexec s6-permafailon 60 5 1-255 true\n");

// The `service` events of `name` in an /events body so far.
QList<QJsonObject> serviceEvents(const QByteArray &body, const QString &name) {
    QList<QJsonObject> out;
    for (const QByteArray &block : body.split('\n')) {
        if (!block.startsWith("data: "))
            continue;
        const QJsonObject data = QJsonDocument::fromJson(block.mid(6)).object();
        if (data.contains("raw") && data.value("name") == name)
            out.append(data);
    }
    return out;
}

// s6-svstat's text with the seconds left out, which tick between two readings.
QString withoutSeconds(QString raw) {
    static const QRegularExpression seconds(QStringLiteral("\\d+ seconds"));
    return raw.replace(seconds, QStringLiteral("N seconds"));
}

} // namespace

class AgentPermafail final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        S6ServiceOptions patient;
        patient.finishScript = kPermafail5;
        QVERIFY(m_tree.addService("patient", kSleep, patient));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY2(m_agent.start(m_tree.scanDir(), m_tree.logDir(), m_tree.scanDir()),
                 qPrintable(m_agent.errorString()));
    }

    void cleanupTestCase() {
        QVERIFY(m_agent.stop());
        QVERIFY(m_tree.stop());
    }

    void failedAfterPermafailon() {
        AgentConnection events(m_agent.socketPath());
        QVERIFY(events.sendRequest("GET", "/events"));
        QVERIFY(events.readUntil(
            [](const HttpReply &r) { return !serviceEvents(r.body, "patient").isEmpty(); }));
        // Exits 3 at once; its finish script gives up at the second death.
        S6ServiceOptions options;
        options.finishScript = kPermafail2;
        QVERIFY(m_tree.addService("permafail", kExit3, options));

        // The change is pushed, with failed set.
        QVERIFY2(events.readUntil(
                     [](const HttpReply &r) {
                         const auto list = serviceEvents(r.body, "permafail");
                         return !list.isEmpty() && list.last().value("failed").toBool();
                     },
                     20000),
                 events.current().body.right(2000).constData());
        for (const QJsonObject &event : serviceEvents(events.current().body, "permafail"))
            if (event.value("failed").toBool())
                QVERIFY(!event.value("want_up").toBool() && !event.value("is_up").toBool());

        // What s6 says: down after exit code 3, not wanted up, two deaths.
        QCOMPARE(m_tree.svstat("permafail", {"-o", "up,wantedup,exitcode"}),
                 QStringLiteral("false false 3"));
        const QJsonObject s = status("permafail");
        QCOMPARE(s.value("failed"), QJsonValue(true));
        QCOMPARE(s.value("is_up"), QJsonValue(false));
        QCOMPARE(s.value("want_up"), QJsonValue(false));
        QCOMPARE(s.value("normally_up"), QJsonValue(true));
        QCOMPARE(s.value("exit_code").toInt(-1), 3);
        QCOMPARE(withoutSeconds(s.value("raw").toString()),
                 withoutSeconds(m_tree.svstat("permafail")));
        const QJsonArray deaths = m_tree.svdtDeaths("permafail");
        QCOMPARE(deaths.size(), 2);
        QCOMPARE(get("/services/permafail/deaths").json().value("deaths").toArray(), deaths);
        QCOMPARE(s.value("deaths_last_minute").toInt(-1), 2);
        QCOMPARE(s.value("deaths_last_hour").toInt(-1), 2);
        QCOMPARE(s.value("last_death").toObject(), deaths.first().toObject());
        // The key after all the others.
        const QByteArray raw = get("/services/permafail/status").body;
        QVERIFY2(raw.endsWith(",\"deaths_last_hour\":2,\"failed\":true}"), raw.constData());
    }

    void startedAgainAndFailedAgain() {
        QVERIFY(status("permafail").value("failed").toBool());
        // s6-svc -u: it runs again, dies a third time, and its finish script gives up again;
        // the failure is the new death's.
        QVERIFY(m_tree.svc("permafail", "-u"));
        QTRY_COMPARE_WITH_TIMEOUT(m_tree.svdtDeaths("permafail").size(), 3, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(status("permafail").value("failed").toBool() &&
                                     status("permafail").value("deaths_last_minute").toInt() == 3,
                                 10000);
        QCOMPARE(m_tree.svstat("permafail", {"-o", "up,wantedup"}), QStringLiteral("false false"));
        QCOMPARE(status("permafail").value("last_death").toObject(),
                 m_tree.svdtDeaths("permafail").first().toObject());
    }

    void stoppedByHandIsNotFailed() {
        // Same kind of finish script, not fired (one death of five): down, not wanted up,
        // exactly what the status file of the failed service says, but not failed.
        QVERIFY(m_tree.waitUntilUp("patient"));
        QCOMPARE(status("patient").value("failed"), QJsonValue(false));
        QVERIFY(m_tree.svc("patient", "-d"));
        QTRY_COMPARE_WITH_TIMEOUT(m_tree.svstat("patient", {"-o", "up,wantedup"}),
                                  QStringLiteral("false false"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_tree.svdtDeaths("patient").size(), 1, 10000);
        // Its finish script is done once s6-supervise says it is ready again.
        QTRY_VERIFY_WITH_TIMEOUT(m_tree.svstat("patient").contains("ready"), 10000);
        const QJsonObject s = status("patient");
        QCOMPARE(s.value("failed"), QJsonValue(false));
        QCOMPARE(s.value("want_up"), QJsonValue(false));
        QCOMPARE(s.value("signal").toString(), QStringLiteral("SIGTERM"));
        QCOMPARE(s.value("deaths_last_minute").toInt(-1), 1);
        QVERIFY(m_tree.svc("patient", "-u"));
        QVERIFY(m_tree.waitUntilUp("patient"));
        QCOMPARE(status("patient").value("failed"), QJsonValue(false));
    }

private:
    HttpReply get(const QString &target) {
        return agentRequest(m_agent.socketPath(), "GET", target.toUtf8());
    }
    QJsonObject status(const QString &name) { return get("/services/" + name + "/status").json(); }

    S6Tree m_tree;
    AgentProcess m_agent;
};

QTEST_GUILESS_MAIN(AgentPermafail)
#include "agent_permafail.moc"

// The agent's status against the real s6-svstat on live services under a real
// s6-svscan, in every state a technician meets.

#include "AgentProcess.h"
#include "S6Tree.h"
#include "agent_client.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");

// Equal once every "N seconds" is masked, each N differing by at most one.
bool sameModuloSeconds(const QString &a, const QString &b) {
    static const QRegularExpression seconds(QStringLiteral("(\\d+) seconds"));
    QString ma = a, mb = b;
    ma.replace(seconds, QStringLiteral("N seconds"));
    mb.replace(seconds, QStringLiteral("N seconds"));
    if (ma != mb)
        return false;
    auto ia = seconds.globalMatch(a), ib = seconds.globalMatch(b);
    while (ia.hasNext() && ib.hasNext())
        if (qAbs(ia.next().captured(1).toLongLong() - ib.next().captured(1).toLongLong()) > 1)
            return false;
    return true;
}

} // namespace

class AgentLiveStatus final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void matchesSvstat_data();
    void matchesSvstat();
    void allStatusesInOneRequest();
    void unsupervisedService();
    void newerDialectOnRequest();
    void undecodableStatusAsksSvstat();

private:
    bool rawMatches(const QString &name, QString *why);

    std::unique_ptr<S6Tree> m_tree;
    std::unique_ptr<AgentProcess> m_agent;
};

void AgentLiveStatus::initTestCase() {
    m_tree = std::make_unique<S6Tree>();
    QVERIFY(m_tree->isValid());
    S6ServiceOptions down;
    down.downFile = true;
    S6ServiceOptions notify;
    notify.notificationFd = 3;
    QVERIFY(m_tree->addService("up", kSleep));
    QVERIFY(m_tree->addService("up-ready", "#!/bin/sh\necho >&3\nexec sleep 100000\n", notify));
    QVERIFY(m_tree->addService("down-file", kSleep, down));
    QVERIFY(m_tree->addService("crash", "#!/bin/sh\nexit 3\n"));
    QVERIFY(m_tree->addService("signalled", kSleep));
    QVERIFY(m_tree->addService("paused", kSleep));
    QVERIFY(m_tree->addService("normally-down-up", kSleep, down));
    QVERIFY(m_tree->addService("want-down", kSleep));
    QVERIFY2(m_tree->start(), qPrintable(m_tree->errorString()));
    for (const char *name : {"up", "up-ready", "signalled", "paused", "want-down"})
        QVERIFY2(m_tree->waitUntilUp(name), name);
    QVERIFY(m_tree->svc("signalled", "-d"));
    QVERIFY(m_tree->svc("paused", "-p"));
    QVERIFY(m_tree->svc("normally-down-up", "-u"));
    QVERIFY(m_tree->svc("want-down", "-o"));

    m_agent = std::make_unique<AgentProcess>();
    QVERIFY2(m_agent->start(m_tree->scanDir(), m_tree->logDir(), m_tree->scanDir()),
             qPrintable(m_agent->errorString()));
}

void AgentLiveStatus::cleanupTestCase() {
    if (m_agent)
        QVERIFY(m_agent->stop());
    if (m_tree)
        QVERIFY(m_tree->stop());
}

bool AgentLiveStatus::rawMatches(const QString &name, QString *why) {
    const QString before = m_tree->svstat(name);
    const HttpReply reply =
        agentRequest(m_agent->socketPath(), "GET", "/services/" + name.toUtf8() + "/status");
    const QString after = m_tree->svstat(name);
    const QString raw = reply.json().value("raw").toString();
    *why = QStringLiteral("agent: '%1' s6-svstat: '%2' / '%3'").arg(raw, before, after);
    return reply.status == 200 && (sameModuloSeconds(raw, before) || sameModuloSeconds(raw, after));
}

void AgentLiveStatus::matchesSvstat_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("pattern"); // what s6-svstat must show first
    QTest::addColumn<bool>("isUp");
    QTest::addColumn<QString>("fields"); // expected JSON members, k=v;...
    QTest::addRow("up") << "up"
                        << "^up \\(pid \\d+\\) \\d+ seconds$" << true
                        << "normally_up=true;want_up=true;ready=false;paused=false";
    QTest::addRow("up-ready") << "up-ready"
                              << "^up \\(pid \\d+\\) \\d+ seconds, ready \\d+ seconds$" << true
                              << "ready=true;want_up=true";
    QTest::addRow("down-file") << "down-file"
                               << "^down \\(exitcode 0\\) \\d+ seconds" << false
                               << "normally_up=false;want_up=false;exit_code=0";
    QTest::addRow("crash") << "crash"
                           << "^down \\(exitcode 3\\) \\d+ seconds, normally up, want up" << false
                           << "exit_code=3;want_up=true;normally_up=true;signal=null";
    QTest::addRow("signalled") << "signalled"
                               << "^down \\(signal SIGTERM\\) \\d+ seconds, normally up" << false
                               << "signal=SIGTERM;exit_code=null;want_up=false";
    QTest::addRow("paused") << "paused"
                            << "^up \\(pid \\d+\\) \\d+ seconds, paused$" << true << "paused=true";
    QTest::addRow("normally-down-up") << "normally-down-up"
                                      << "^up \\(pid \\d+\\) \\d+ seconds, normally down$" << true
                                      << "normally_up=false;want_up=true";
    QTest::addRow("want-down") << "want-down"
                               << "^up \\(pid \\d+\\) \\d+ seconds, want down$" << true
                               << "want_up=false";
}

void AgentLiveStatus::matchesSvstat() {
    QFETCH(QString, name);
    QFETCH(QString, pattern);
    QFETCH(bool, isUp);
    QFETCH(QString, fields);

    const QRegularExpression re(pattern);
    QTRY_VERIFY_WITH_TIMEOUT(re.match(m_tree->svstat(name)).hasMatch(), 10000);
    QString why;
    QTRY_VERIFY2_WITH_TIMEOUT(rawMatches(name, &why), qPrintable(why), 5000);

    // The structured fields, read while s6-svstat shows the expected state.
    QJsonObject status;
    QTRY_VERIFY_WITH_TIMEOUT((status = agentRequest(m_agent->socketPath(), "GET",
                                                    "/services/" + name.toUtf8() + "/status")
                                           .json(),
                              re.match(status.value("raw").toString()).hasMatch()),
                             5000);
    QCOMPARE(status.value("name").toString(), name);
    QCOMPARE(status.value("is_up").toBool(), isUp);
    QCOMPARE(status.value("pid").isNull(), !isUp);
    QVERIFY(status.value("uptime_seconds").toInteger() >= 0);
    QVERIFY(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$")
                .match(status.value("since").toString())
                .hasMatch());
    for (const QString &pair : fields.split(';')) {
        const QString key = pair.section('=', 0, 0);
        const QString value = pair.section('=', 1);
        const QJsonValue v = status.value(key);
        const QString actual = v.isNull()     ? QStringLiteral("null")
                               : v.isBool()   ? (v.toBool() ? "true" : "false")
                               : v.isDouble() ? QString::number(v.toInteger())
                                              : v.toString();
        QCOMPARE(key + '=' + actual, key + '=' + value);
    }
}

void AgentLiveStatus::allStatusesInOneRequest() {
    const HttpReply reply = agentRequest(m_agent->socketPath(), "GET", "/services/status");
    QCOMPARE(reply.status, 200);
    const QJsonArray statuses = reply.json().value("statuses").toArray();
    QStringList names;
    for (const auto &s : statuses)
        names << s.toObject().value("name").toString();
    QCOMPARE(names, QStringList({"crash", "down-file", "normally-down-up", "paused", "signalled",
                                 "up", "up-ready", "want-down"}));
    // The twelve status fields, then the three death fields (deaths_last_minute, last_death,
    // deaths_last_hour) and failed.
    QCOMPARE(statuses.at(0).toObject().keys().size(), 16);
}

void AgentLiveStatus::unsupervisedService() {
    // A service directory s6-svscan has not picked up: no s6-supervise.
    const QString dir = m_tree->serviceDir("orphan");
    QVERIFY(QDir().mkpath(dir));
    QFile run(dir + "/run");
    QVERIFY(run.open(QIODevice::WriteOnly));
    run.write(kSleep.toUtf8());
    run.close();

    QProcess svstat;
    svstat.start("s6-svstat", {dir});
    QVERIFY(svstat.waitForFinished());
    QCOMPARE(svstat.exitCode(), 1);
    const QString expected = QString::fromUtf8(svstat.readAllStandardError()).trimmed();

    const HttpReply reply = agentRequest(m_agent->socketPath(), "GET", "/services/orphan/status");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("raw").toString(), expected);
    QCOMPARE(reply.json().value("is_up").toBool(), false);

    const HttpReply control =
        agentRequest(m_agent->socketPath(), "POST", "/services/orphan", R"({"action":"up"})");
    QCOMPARE(control.status, 409);
    QVERIFY(control.json().value("error").toString().contains("not supervised"));
    QVERIFY(control.json().value("detail").isNull());
    QVERIFY(QDir(dir).removeRecursively());
}

void AgentLiveStatus::newerDialectOnRequest() {
    // Images with s6 >= 2.13 print the pgid; --svstat-dialect picks that text
    // when the image's s6-svstat cannot be asked.
    AgentProcess newer;
    QVERIFY(newer.start(m_tree->scanDir(), m_tree->logDir(), m_tree->scanDir(),
                        {"--svstat-dialect", "2.13"}));
    const QString raw = agentRequest(newer.socketPath(), "GET", "/services/up/status")
                            .json()
                            .value("raw")
                            .toString();
    QVERIFY2(
        QRegularExpression("^up \\(pid (\\d+) pgid \\1\\) \\d+ seconds$").match(raw).hasMatch(),
        qPrintable(raw));
    QVERIFY(newer.stop());
}

void AgentLiveStatus::undecodableStatusAsksSvstat() {
    // A supervise directory with a listener on its control FIFO but a status
    // file of no known layout: the agent lets s6-svstat speak for it.
    const QString dir = m_tree->serviceDir("odd");
    QVERIFY(QDir().mkpath(dir + "/supervise"));
    QFile run(dir + "/run");
    QVERIFY(run.open(QIODevice::WriteOnly));
    run.write(kSleep.toUtf8());
    run.close();
    QCOMPARE(::mkfifo(QFile::encodeName(dir + "/supervise/control").constData(), 0600), 0);
    const int reader = ::open(QFile::encodeName(dir + "/supervise/control").constData(),
                              O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    QVERIFY(reader >= 0);
    QFile status(dir + "/supervise/status");
    QVERIFY(status.open(QIODevice::WriteOnly));
    status.write(QByteArray(20, 'x'));
    status.close();

    QProcess svstat;
    svstat.setProcessChannelMode(QProcess::MergedChannels);
    svstat.start("s6-svstat", {dir});
    QVERIFY(svstat.waitForFinished());
    const QString expected = QString::fromUtf8(svstat.readAll()).trimmed();
    QVERIFY(!expected.isEmpty());

    const HttpReply reply = agentRequest(m_agent->socketPath(), "GET", "/services/odd/status");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("raw").toString(), expected);
    QCOMPARE(reply.json().value("is_up").toBool(), false);
    // The same inside the list of all statuses.
    const QJsonArray all = agentRequest(m_agent->socketPath(), "GET", "/services/status")
                               .json()
                               .value("statuses")
                               .toArray();
    bool found = false;
    for (const auto &entry : all)
        found = found || (entry.toObject().value("name") == "odd" &&
                          entry.toObject().value("raw").toString() == expected);
    QVERIFY(found);
    ::close(reader);
    QVERIFY(QDir(dir).removeRecursively());
}

QTEST_GUILESS_MAIN(AgentLiveStatus)
#include "agent_live_status.moc"

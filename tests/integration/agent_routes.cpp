// Every route of the agent and every error row of agent-api.md, against a real
// s6-svscan tree and the built s6-agent.

#include "AgentProcess.h"
#include "S6Tree.h"
#include "agent_client.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");

QByteArray readFile(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data, bool executable = false) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size())
        return false;
    f.close();
    return !executable ||
           f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                            QFileDevice::ExeOwner | QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                            QFileDevice::ReadOther | QFileDevice::ExeOther);
}

} // namespace

class AgentRoutes final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void root();
    void listSkipsInternals();
    void control();
    void controlNotConfirmed();
    void controlErrors_data();
    void controlErrors();
    void logs();
    void logErrors();
    void logReadsAllocateWhatTheyRead();
    void runScript();
    void clearLogs();
    void methodNotAllowed_data();
    void methodNotAllowed();
    void invalidNames_data();
    void invalidNames();
    void unknownRoutes_data();
    void unknownRoutes();
    void s6rcServices();

private:
    HttpReply get(const QByteArray &target) {
        return agentRequest(m_agent.socketPath(), "GET", target);
    }
    HttpReply post(const QByteArray &target, const QByteArray &body) {
        return agentRequest(m_agent.socketPath(), "POST", target, body);
    }

    S6Tree m_tree;
    AgentProcess m_agent;
};

void AgentRoutes::initTestCase() {
    QVERIFY(m_tree.isValid());
    S6ServiceOptions down;
    down.downFile = true;
    S6ServiceOptions logged;
    logged.logger = true;
    QVERIFY(m_tree.addService("web", kSleep));
    QVERIFY(m_tree.addService("stopped", kSleep, down));
    QVERIFY(m_tree.addService(
        "noisy",
        "#!/bin/sh\nprintf '\\033[31mred\\033[0m line 1\\nline 2\\nline 3\\n'\nexec sleep 100000\n",
        logged));
    QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
    QVERIFY(m_tree.waitUntilUp("web"));
    QVERIFY2(m_agent.start(m_tree.scanDir(), m_tree.logDir(), m_tree.scanDir()),
             qPrintable(m_agent.errorString()));
}

void AgentRoutes::cleanupTestCase() {
    QVERIFY(m_agent.stop());
    QVERIFY(m_tree.stop());
}

void AgentRoutes::root() {
    const HttpReply reply = get("/");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-type"), QByteArray("application/json"));
    QVERIFY(QRegularExpression(
                "^\\{\"message\":\"s6 Agent API\",\"version\":\"\\d+\\.\\d+\\.\\d+[^\"]*\"\\}$")
                .match(QString::fromUtf8(reply.body))
                .hasMatch());
}

void AgentRoutes::listSkipsInternals() {
    QCOMPARE(get("/services").body, QByteArray("{\"services\":[\"noisy\",\"stopped\",\"web\"]}"));

    // An s6-overlay-like scan directory, without a supervisor: what is listed.
    QTemporaryDir dir;
    for (const char *name : {"s6rc-oneshot-runner", "s6rc-fdholder", "s6-linux-init-shutdownd",
                             ".hidden", "user-svc", "ros@1", "empty", "typed"})
        QVERIFY(QDir().mkpath(dir.filePath(name)));
    for (const char *name : {"s6rc-oneshot-runner", "s6rc-fdholder", "s6-linux-init-shutdownd",
                             ".hidden", "user-svc", "ros@1"})
        QVERIFY(writeFile(dir.filePath(name) + "/run", kSleep.toUtf8(), true));
    QVERIFY(writeFile(dir.filePath("typed/type"), "longrun\n"));
    QVERIFY(writeFile(dir.filePath("not-a-dir"), "x"));
    AgentProcess other;
    QVERIFY(other.start(dir.path(), dir.path(), dir.path()));
    const HttpReply reply = agentRequest(other.socketPath(), "GET", "/services");
    QCOMPARE(reply.body, QByteArray("{\"services\":[\"ros@1\",\"typed\",\"user-svc\"]}"));
    QCOMPARE(agentRequest(other.socketPath(), "GET", "/services/s6rc-fdholder/status").status, 404);
    QVERIFY(other.stop());
}

void AgentRoutes::control() {
    HttpReply reply = post("/services/web", "{\"action\":\"down\"}");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, QByteArray("{\"name\":\"web\",\"action\":\"down\",\"result\":\"ok\"}"));
    // The reply comes once the supervisor has acted: a status right after shows it.
    QCOMPARE(get("/services/web/status").json().value("is_up").toBool(), false);
    QTRY_VERIFY(!m_tree.isUp("web"));

    reply = post("/services/web", "{\"action\":\"up\"}");
    QCOMPARE(reply.status, 200);
    QTRY_VERIFY(get("/services/web/status").json().value("is_up").toBool());
    QVERIFY(m_tree.isUp("web"));

    const qint64 pid = get("/services/web/status").json().value("pid").toInteger();
    QVERIFY(pid > 0);
    reply = post("/services/web", "{\"action\":\"restart\"}");
    QCOMPARE(reply.body, QByteArray("{\"name\":\"web\",\"action\":\"restart\",\"result\":\"ok\"}"));
    QTRY_VERIFY(get("/services/web/status").json().value("is_up").toBool() &&
                get("/services/web/status").json().value("pid").toInteger() != pid);

    // restart of a down service starts it.
    QVERIFY(!m_tree.isUp("stopped"));
    QCOMPARE(post("/services/stopped", "{\"action\":\"restart\"}").status, 200);
    QTRY_VERIFY(m_tree.isUp("stopped"));
    QCOMPARE(post("/services/stopped", "{\"action\":\"down\"}").status, 200);
    QTRY_VERIFY(!m_tree.isUp("stopped"));
}

void AgentRoutes::controlErrors_data() {
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addRow("not-json") << QByteArray("/services/web") << QByteArray("action=up") << 422;
    QTest::addRow("empty-body") << QByteArray("/services/web") << QByteArray() << 422;
    QTest::addRow("array") << QByteArray("/services/web") << QByteArray("[\"up\"]") << 422;
    QTest::addRow("no-action") << QByteArray("/services/web") << QByteArray("{}") << 422;
    QTest::addRow("bad-action") << QByteArray("/services/web")
                                << QByteArray("{\"action\":\"explode\"}") << 422;
    QTest::addRow("number-action")
        << QByteArray("/services/web") << QByteArray("{\"action\":1}") << 422;
    QTest::addRow("unknown-service")
        << QByteArray("/services/nope") << QByteArray("{\"action\":\"up\"}") << 404;
}

void AgentRoutes::controlErrors() {
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const HttpReply reply = post(target, body);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.json().keys(), QStringList({"detail", "error"}));
    QVERIFY(reply.json().value("detail").isNull());
    QVERIFY(reply.json().value("error").toString().endsWith('.'));
    QVERIFY(m_tree.isUp("web"));
}

void AgentRoutes::logs() {
    const QString path = m_tree.logFile("noisy");
    QTRY_VERIFY(readFile(path).contains("line 3\n"));
    const QByteArray content = readFile(path);

    HttpReply reply = get("/services/noisy/logs?tail=2");
    QCOMPARE(reply.status, 200);
    QCOMPARE(
        reply.body,
        QByteArray(
            "{\"service\":\"noisy\",\"logs\":\"line 2\\nline 3\\n\",\"tail\":2,\"log_path\":\"") +
            path.toUtf8() + "\",\"cursor\":" + QByteArray::number(content.size()) + "}");

    reply = get("/services/noisy/logs");
    QCOMPARE(reply.json().value("logs").toString(), QString::fromUtf8(content));
    QCOMPARE(reply.json().value("tail").toInt(), 100);
    reply = get("/services/noisy/logs?tail=100&strip_ansi=true");
    QCOMPARE(reply.json().value("logs").toString(), QString("red line 1\nline 2\nline 3\n"));

    reply = get("/services/noisy/logs?cursor=0");
    QCOMPARE(reply.json().keys().size(), 4);
    QVERIFY(reply.body.startsWith("{\"service\":\"noisy\",\"logs\":"));
    QVERIFY(reply.body.contains(",\"cursor\":" + QByteArray::number(content.size()) +
                                ",\"log_path\":"));
    QCOMPARE(reply.json().value("logs").toString(), QString::fromUtf8(content));
    reply = get("/services/noisy/logs?cursor=" + QByteArray::number(content.size() - 7));
    QCOMPARE(reply.json().value("logs").toString(), QString("line 3\n"));
    reply = get("/services/noisy/logs?cursor=" + QByteArray::number(content.size()));
    QCOMPARE(reply.json().value("logs").toString(), QString());
    QCOMPARE(reply.json().value("cursor").toInteger(), content.size());
    // Past the end (the file was rotated since): starts over at 0.
    reply = get("/services/noisy/logs?cursor=" + QByteArray::number(content.size() + 1000));
    QCOMPARE(reply.json().value("logs").toString(), QString::fromUtf8(content));
    QCOMPARE(reply.json().value("cursor").toInteger(), content.size());
}

void AgentRoutes::logErrors() {
    QCOMPARE(get("/services/web/logs").status, 404); // no logger, no file
    QVERIFY(get("/services/web/logs").json().value("error").toString().contains("no log file"));
    QCOMPARE(get("/services/nope/logs").status, 404);
    for (const QByteArray query : {"tail=abc", "tail=-1", "tail=1e3", "tail=100001",
                                   "tail=", "cursor=x", "strip_ansi=maybe", "follow=yes"})
        QCOMPARE(get("/services/noisy/logs?" + query).status, 400);
}

namespace {
qint64 residentKiB(qint64 pid) {
    const QByteArray field = "VmRSS:";
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(field.size()).trimmed().split(' ').first().toLongLong();
    return -1;
}
} // namespace

// A read of a small log costs what it returns, not the 4 MiB an answer may hold at most
// (zero-filled, that was 4 MiB more resident memory after the first cursor read).
void AgentRoutes::logReadsAllocateWhatTheyRead() {
    const qint64 before = residentKiB(m_agent.pid());
    QVERIFY(before > 0);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(get("/services/noisy/logs?cursor=0").status, 200);
        QCOMPARE(get("/services/noisy/logs?tail=5").status, 200);
    }
    const qint64 after = residentKiB(m_agent.pid());
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed blocks in quarantine; 20 zero-filled 4 MiB buffers would
    // still be far above this.
    const qint64 boundKiB = 8 * 1024;
#else
    const qint64 boundKiB = 1024;
#endif
    QVERIFY2(after - before < boundKiB,
             qPrintable(QStringLiteral("RSS %1 kB -> %2 kB").arg(before).arg(after)));
}

void AgentRoutes::runScript() {
    const QString path = m_tree.serviceDir("stopped") + "/run";
    HttpReply reply = get("/services/stopped/run");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, QByteArray("{\"service\":\"stopped\",\"path\":\"") + path.toUtf8() +
                             "\",\"content\":\"#!/bin/sh\\nexec sleep 100000\\n\"}");

    const QByteArray script = "#!/bin/sh\n# edited \xc3\xa9\nexec sleep 200000\n";
    reply = agentRequest(m_agent.socketPath(), "PUT", "/services/stopped/run",
                         "{\"content\":\"#!/bin/sh\\n# edited \\u00e9\\nexec sleep 200000\\n\"}");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("content").toString(), QString::fromUtf8(script));
    QCOMPARE(readFile(path), script);
    QCOMPARE(QFileInfo(path).permissions() & 0x7777,
             QFileInfo(m_tree.serviceDir("web") + "/run").permissions() & 0x7777);
    QVERIFY(QFileInfo(path).isExecutable());
    // Nothing but the service's own files is left in the directory.
    QCOMPARE(
        QDir(m_tree.serviceDir("stopped")).entryList(QDir::Files | QDir::Hidden).filter(".run.tmp"),
        QStringList());

    QCOMPARE(agentRequest(m_agent.socketPath(), "PUT", "/services/stopped/run", "{\"text\":\"x\"}")
                 .status,
             422);
    QCOMPARE(agentRequest(m_agent.socketPath(), "PUT", "/services/stopped/run", "{bad").status,
             422);
    QCOMPARE(agentRequest(m_agent.socketPath(), "PUT", "/services/nope/run", "{\"content\":\"x\"}")
                 .status,
             404);
    QCOMPARE(get("/services/nope/run").status, 404);
    QCOMPARE(readFile(path), script);

    // An empty or blank script is refused as the original refused it, and nothing is written.
    for (const QByteArray body : {"{\"content\":\"\"}", "{\"content\":\" \\n\\t\"}"}) {
        reply = agentRequest(m_agent.socketPath(), "PUT", "/services/stopped/run", body);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value("error").toString(), QString("Content must not be empty"));
        QCOMPARE(readFile(path), script);
    }
}

void AgentRoutes::clearLogs() {
    const QString path = m_tree.logFile("noisy");
    QTRY_VERIFY(readFile(path).contains("line 3\n"));

    HttpReply reply = agentRequest(m_agent.socketPath(), "DELETE", "/services/noisy/logs");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, "{\"service\":\"noisy\",\"message\":\"Logs cleared successfully\","
                         "\"log_path\":\"" +
                             path.toUtf8() + "\"}");
    QCOMPARE(QFileInfo(path).size(), 0);
    QCOMPARE(get("/services/noisy/logs").json().value("logs").toString(), QString());

    reply = agentRequest(m_agent.socketPath(), "DELETE", "/services/web/logs");
    QCOMPARE(reply.status, 404); // web has no logger
    QCOMPARE(agentRequest(m_agent.socketPath(), "DELETE", "/services/nope/logs").status, 404);
}

void AgentRoutes::methodNotAllowed_data() {
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("allow");
    QTest::addRow("post-root") << QByteArray("POST") << QByteArray("/") << QByteArray("GET");
    QTest::addRow("delete-services")
        << QByteArray("DELETE") << QByteArray("/services") << QByteArray("GET");
    QTest::addRow("put-status") << QByteArray("PUT") << QByteArray("/services/web/status")
                                << QByteArray("GET");
    QTest::addRow("get-service") << QByteArray("GET") << QByteArray("/services/web")
                                 << QByteArray("POST");
    QTest::addRow("post-run") << QByteArray("POST") << QByteArray("/services/web/run")
                              << QByteArray("GET, PUT");
    QTest::addRow("post-logs") << QByteArray("POST") << QByteArray("/services/web/logs")
                               << QByteArray("GET, DELETE");
    QTest::addRow("put-all-status")
        << QByteArray("PUT") << QByteArray("/services/status") << QByteArray("GET, POST");
}

void AgentRoutes::methodNotAllowed() {
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, allow);
    const HttpReply reply = agentRequest(m_agent.socketPath(), method, target, "{}");
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.headers.value("allow"), allow);
    QVERIFY(reply.json().value("detail").isNull());
}

void AgentRoutes::invalidNames_data() {
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    const QList<QByteArray> names{"..",   "%2e%2e",     "a%2Fb", "%2F",   "..%2F..%2Fetc",
                                  "-x",   ".s6-svscan", "a%20b", "a%00b", "a%0Ab",
                                  "a..b", "a%5Cb",      "%C3%A9"};
    for (const QByteArray &name : names) {
        QTest::addRow("status %s", name.constData())
            << QByteArray("GET") << "/services/" + name + "/status";
        QTest::addRow("post %s", name.constData()) << QByteArray("POST") << "/services/" + name;
        QTest::addRow("run %s", name.constData())
            << QByteArray("PUT") << "/services/" + name + "/run";
    }
    QTest::addRow("empty") << QByteArray("GET") << QByteArray("/services//status");
    QTest::addRow("empty-post") << QByteArray("POST") << QByteArray("/services/");
    QTest::addRow("bad-escape") << QByteArray("GET") << QByteArray("/services/a%zz/status");
    QTest::addRow("logs-dotdot") << QByteArray("GET") << QByteArray("/services/../logs");
}

void AgentRoutes::invalidNames() {
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    const HttpReply reply =
        agentRequest(m_agent.socketPath(), method, target, "{\"action\":\"up\",\"content\":\"x\"}");
    QCOMPARE(reply.status, 400);
    QVERIFY(reply.json().value("detail").isNull());
}

void AgentRoutes::unknownRoutes_data() {
    QTest::addColumn<QByteArray>("target");
    QTest::addRow("nope") << QByteArray("/nope");
    QTest::addRow("leaf") << QByteArray("/services/web/nothing");
    QTest::addRow("deep") << QByteArray("/services/web/status/extra");
    QTest::addRow("unknown-status") << QByteArray("/services/nope/status");
}

void AgentRoutes::unknownRoutes() {
    QFETCH(QByteArray, target);
    const HttpReply reply = get(target);
    QCOMPARE(reply.status, 404);
    QVERIFY(reply.json().value("detail").isNull());
}

// A supervisor that does not act (here: stopped with SIGSTOP) gets the command, but the answer
// says it was not confirmed instead of "ok".
void AgentRoutes::controlNotConfirmed() {
    // `s6-supervise web`, which works from its service directory.
    const QString dir = m_tree.serviceDir("web");
    qint64 supervisor = 0;
    for (const QString &pid : QDir("/proc").entryList(QDir::Dirs)) {
        QFile cmdline("/proc/" + pid + "/cmdline");
        if (cmdline.open(QIODevice::ReadOnly) &&
            cmdline.readAll() == QByteArray("s6-supervise\0web\0", 17) &&
            QFileInfo("/proc/" + pid + "/cwd").canonicalFilePath() ==
                QFileInfo(dir).canonicalFilePath())
            supervisor = pid.toLongLong();
    }
    QVERIFY(supervisor > 0);
    QVERIFY(m_tree.isUp("web"));
    QCOMPARE(::kill(pid_t(supervisor), SIGSTOP), 0);
    const HttpReply reply = post("/services/web", "{\"action\":\"down\"}");
    QCOMPARE(::kill(pid_t(supervisor), SIGCONT), 0);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body,
             QByteArray("{\"name\":\"web\",\"action\":\"down\",\"result\":\"unconfirmed\"}"));
    // Once it runs again it acts on the command it was sent.
    QTRY_VERIFY(!m_tree.isUp("web"));
    QCOMPARE(post("/services/web", "{\"action\":\"up\"}").status, 200);
    QTRY_VERIFY(m_tree.isUp("web"));
}

void AgentRoutes::s6rcServices() {
    // An s6-overlay-like layout: scan-dir entries are symlinks into an s6-rc
    // live directory. s6-rc itself is not packaged here; a stand-in on PATH
    // records how the agent calls it.
    QTemporaryDir root;
    const QString live = root.filePath("live/servicedirs");
    const QString scan = root.filePath("scan");
    const QString bin = root.filePath("bin");
    const QString calls = root.filePath("calls.txt");
    for (const QString &d :
         {live + "/ros", live + "/failing", scan, bin, root.filePath("scan/classic")})
        QVERIFY(QDir().mkpath(d));
    for (const char *name : {"ros", "failing"}) {
        QVERIFY(writeFile(live + '/' + name + "/run", kSleep.toUtf8(), true));
        QVERIFY(QFile::link(live + '/' + name, scan + '/' + name));
    }
    QVERIFY(writeFile(scan + "/classic/run", kSleep.toUtf8(), true));
    QVERIFY(writeFile(
        bin + "/s6-rc",
        "#!/bin/sh\necho \"$*\" >> " + calls.toUtf8() +
            "\nif [ \"$3\" = failing ]; then echo 's6-rc: fatal: unable to take the lock' >&2; "
            "exit 111; fi\nexit 0\n",
        true));
    AgentProcess::Options options;
    options.scanDir = scan;
    options.logDir = root.filePath("log");
    options.rcSourceDir = scan;
    options.environment.insert("PATH", bin + ':' + options.environment.value("PATH"));
    AgentProcess agent;
    QVERIFY2(agent.start(options), qPrintable(agent.errorString()));

    QCOMPARE(agentRequest(agent.socketPath(), "POST", "/services/ros", "{\"action\":\"up\"}").body,
             QByteArray("{\"name\":\"ros\",\"action\":\"up\",\"result\":\"ok\"}"));
    QCOMPARE(
        agentRequest(agent.socketPath(), "POST", "/services/ros", "{\"action\":\"down\"}").status,
        200);
    QCOMPARE(agentRequest(agent.socketPath(), "POST", "/services/ros", "{\"action\":\"restart\"}")
                 .status,
             200);
    QCOMPARE(readFile(calls),
             QByteArray("-u change ros\n-d change ros\n-d change ros\n-u change ros\n"));

    const HttpReply failed =
        agentRequest(agent.socketPath(), "POST", "/services/failing", "{\"action\":\"up\"}");
    QCOMPARE(failed.status, 500);
    QVERIFY(failed.json().value("error").toString().contains("unable to take the lock"));
    // A classic service without a supervisor.
    QCOMPARE(
        agentRequest(agent.socketPath(), "POST", "/services/classic", "{\"action\":\"up\"}").status,
        409);
    QVERIFY(agent.stop());
}

QTEST_GUILESS_MAIN(AgentRoutes)
#include "agent_routes.moc"

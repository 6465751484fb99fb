// The agent's command line and life cycle: --help, --version, bad flags, the
// socket file (parent created, mode 0660, stale replaced, live one refused)
// and a clean stop on SIGTERM / SIGINT that removes the socket.

#include "AgentProcess.h"
#include "agent_client.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runAgent(const QStringList &args) {
    QProcess p;
    p.start(AgentProcess::binaryPath(), args);
    Run r;
    if (!p.waitForFinished(10000))
        return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace

class AgentCli final : public QObject {
    Q_OBJECT

private slots:
    void version();
    void help();
    void badFlags_data();
    void badFlags();
#ifdef SM_AGENT_STATIC // sanitizer builds link the agent dynamically, as ASan needs
    void staticBinary();
#endif
    void socketLifecycle();
    void staleSocketReplaced();
    void liveSocketRefused();
    void sigintStops();

private:
    QTemporaryDir m_dir;
};

void AgentCli::version() {
    const Run r = runAgent({"--version"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QRegularExpression("^s6-agent \\d+\\.\\d+\\.\\d+\\S*\\n$").match(r.out).hasMatch(),
             r.out);
}

void AgentCli::help() {
    const Run r = runAgent({"--help"});
    QCOMPARE(r.exitCode, 0);
    for (const char *flag : {"--socket", "--scandir", "--logdir", "--rc-source", "--version"})
        QVERIFY2(r.out.contains(flag), flag);
}

void AgentCli::badFlags_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addRow("unknown") << QStringList{"--bogus"};
    QTest::addRow("positional") << QStringList{"extra"};
    QTest::addRow("missing-value") << QStringList{"--socket"};
    QTest::addRow("empty-value") << QStringList{"--scandir="};
    QTest::addRow("bad-timeout") << QStringList{"--idle-timeout", "soon"};
    QTest::addRow("bad-dialect") << QStringList{"--svstat-dialect", "3"};
}

void AgentCli::badFlags() {
    QFETCH(QStringList, args);
    const Run r = runAgent(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.startsWith("s6-agent: "));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(r.err.endsWith('\n'));
}

#ifdef SM_AGENT_STATIC
void AgentCli::staticBinary() {
    // No dynamic section: the binary runs in any container as is.
    QProcess file;
    file.start("file", {"-L", AgentProcess::binaryPath()});
    if (!file.waitForFinished() || file.exitCode() != 0)
        QSKIP("file(1) is not available (apt-get install file)");
    QVERIFY2(file.readAllStandardOutput().contains("statically linked"), "s6-agent is not static");
}
#endif

void AgentCli::socketLifecycle() {
    const QString socket = m_dir.filePath("deep/er/agent.sock"); // parents do not exist yet
    AgentProcess::Options options;
    options.scanDir = m_dir.path();
    options.socketPath = socket;
    AgentProcess agent;
    QVERIFY2(agent.start(options), qPrintable(agent.errorString()));
    struct stat st {};
    QCOMPARE(::lstat(QFile::encodeName(socket).constData(), &st), 0);
    QVERIFY(S_ISSOCK(st.st_mode));
    QCOMPARE(st.st_mode & 0777, mode_t(0660));
    QCOMPARE(agentRequest(socket, "GET", "/").status, 200);
    QVERIFY(agent.stop()); // SIGTERM: exit code 0
    QVERIFY(!QFileInfo::exists(socket));
}

void AgentCli::staleSocketReplaced() {
    // A socket file left by a crashed agent: bound, never unlinked, nobody listening.
    const QString socket = m_dir.filePath("stale.sock");
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray path = QFile::encodeName(socket);
    std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    ::close(fd);
    QVERIFY(QFileInfo::exists(socket));

    AgentProcess::Options options;
    options.scanDir = m_dir.path();
    options.socketPath = socket;
    AgentProcess agent;
    QVERIFY2(agent.start(options), qPrintable(agent.errorString()));
    QCOMPARE(agentRequest(socket, "GET", "/services").status, 200);
    QVERIFY(agent.stop());
}

void AgentCli::liveSocketRefused() {
    const QString socket = m_dir.filePath("live.sock");
    AgentProcess::Options options;
    options.scanDir = m_dir.path();
    options.socketPath = socket;
    AgentProcess first;
    QVERIFY(first.start(options));

    const Run second = runAgent({"--socket", socket, "--scandir", m_dir.path()});
    QCOMPARE(second.exitCode, 1);
    QVERIFY2(second.err.contains("already listening"), second.err);
    QCOMPARE(agentRequest(socket, "GET", "/").status, 200); // the first one is untouched

    const QString regular = m_dir.filePath("not-a-socket");
    QFile f(regular);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("keep me");
    f.close();
    const Run third = runAgent({"--socket", regular, "--scandir", m_dir.path()});
    QCOMPARE(third.exitCode, 1);
    QVERIFY(third.err.contains("not a socket"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("keep me"));
    QVERIFY(first.stop());
}

void AgentCli::sigintStops() {
    const QString socket = m_dir.filePath("int.sock");
    AgentProcess::Options options;
    options.scanDir = m_dir.path();
    options.socketPath = socket;
    AgentProcess agent;
    QVERIFY(agent.start(options));
    // A connection in the middle of a request does not hold the exit up.
    AgentConnection pending(socket);
    QVERIFY(pending.send("GET /serv"));
    // SIGHUP (s6-svc -h) is ignored: there is nothing to reload.
    QCOMPARE(::kill(pid_t(agent.pid()), SIGHUP), 0);
    QCOMPARE(agentRequest(socket, "GET", "/").status, 200);
    QCOMPARE(::kill(pid_t(agent.pid()), SIGINT), 0);
    QVERIFY(agent.process()->waitForFinished(5000));
    QCOMPARE(agent.process()->exitStatus(), QProcess::NormalExit);
    QCOMPARE(agent.process()->exitCode(), 0);
    QVERIFY(!QFileInfo::exists(socket));
    QVERIFY(pending.waitClosed());
}

QTEST_GUILESS_MAIN(AgentCli)
#include "agent_cli.moc"

// The s6-overlay service definition in resources/s6-overlay runs the agent
// under a real s6-supervise: it serves, lists itself, and `s6-svc -d` stops
// it cleanly with its socket removed.

#include "AgentProcess.h"
#include "S6Tree.h"
#include "agent_client.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

QString definition(const QString &relative) {
    return QStringLiteral(SM_SOURCE_DIR "/resources/s6-overlay/s6-rc.d/") + relative;
}

QByteArray readFile(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class AgentOverlay final : public QObject {
    Q_OBJECT

private slots:
    void definitionFiles();
    void runsUnderSupervision();
};

void AgentOverlay::definitionFiles() {
    QCOMPARE(readFile(definition("s6-agent/type")), QByteArray("longrun\n"));
    QVERIFY(QFileInfo::exists(definition("s6-agent/dependencies.d/base")));
    QVERIFY(QFileInfo::exists(definition("user/contents.d/s6-agent")));
    QVERIFY(QFileInfo(definition("s6-agent/run")).isExecutable());
    const QByteArray run = readFile(definition("s6-agent/run"));
    for (const char *expected :
         {"exec /usr/local/bin/s6-agent", "--socket /var/run/agent/s6_agent.sock",
          "--scandir /run/service", "--logdir /var/log", "--rc-source /etc/s6-overlay/s6-rc.d"})
        QVERIFY2(run.contains(expected), expected);
}

void AgentOverlay::runsUnderSupervision() {
    S6Tree tree;
    QTemporaryDir sockets;
    const QString socket = sockets.filePath("agent/s6_agent.sock");
    // The checked-in run script, with this machine's paths for the binary and directories.
    QByteArray run = readFile(definition("s6-agent/run"));
    run.replace("/usr/local/bin/s6-agent", AgentProcess::binaryPath().toUtf8());
    run.replace("/var/run/agent/s6_agent.sock", socket.toUtf8());
    run.replace("/run/service", tree.scanDir().toUtf8());
    run.replace("/var/log", tree.logDir().toUtf8());
    run.replace("/etc/s6-overlay/s6-rc.d", tree.scanDir().toUtf8());
    QVERIFY(tree.addService("s6-agent", QString::fromUtf8(run)));
    QVERIFY(tree.addService("robot", "#!/bin/sh\nexec sleep 100000\n"));
    QVERIFY2(tree.start(), qPrintable(tree.errorString()));

    QTRY_VERIFY_WITH_TIMEOUT(agentRequest(socket, "GET", "/").status == 200, 10000);
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(socket).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0660));
    QCOMPARE(agentRequest(socket, "GET", "/services").body,
             QByteArray("{\"services\":[\"robot\",\"s6-agent\"]}"));
    const QJsonObject self = agentRequest(socket, "GET", "/services/s6-agent/status").json();
    QVERIFY(self.value("is_up").toBool());

    QVERIFY(tree.svc("s6-agent", "-d"));
    QTRY_VERIFY(!QFileInfo::exists(socket));
    // A sanitizer build checks for leaks as the agent exits, which can take seconds on a
    // loaded machine; the message says what s6 saw if it never got there.
    QTRY_VERIFY2_WITH_TIMEOUT(tree.svstat("s6-agent").startsWith("down (exitcode 0)"),
                              qPrintable(tree.svstat("s6-agent")), 30000);
    QVERIFY(tree.stop());
}

QTEST_GUILESS_MAIN(AgentOverlay)
#include "agent_overlay.moc"

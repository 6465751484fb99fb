// Faults between system-managerd and its peers, each with the exact answer the client gets:
// an agent that resets the connection mid-reply (502), an agent killed (503) and restarted at
// the same socket (the next request succeeds), an agent replaced by a new one at the same path,
// an unreadable config file (exit 2, one line), and a full disk under a run-script write (an
// error naming the cause, the original untouched, no temporary file left behind).
// The real s6 tree and s6-agent serve; only the mid-reply reset is a purpose-built peer.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>

#include <sys/mount.h>

namespace {

// Reads a request, starts a reply, and drops the connection halfway through it.
class ResettingAgent final : public QObject {
public:
    explicit ResettingAgent(const QString &path) {
        m_server.listen(path);
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QLocalSocket::readyRead, socket, [socket] {
                    socket->readAll();
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 400\r\n\r\n{\"container\":\"x\",\"sta");
                    socket->flush();
                    socket->abort();
                });
            }
        });
    }
    bool listening() const { return m_server.isListening(); }

private:
    QLocalServer m_server;
};

QByteArray containerEntry(const char *name, const QString &socket) {
    return "  - name: " + QByteArray(name) + "\n    socket_path: " + socket.toUtf8() + "\n";
}

} // namespace

class HardenFaultsTest final : public QObject {
    Q_OBJECT

private:
    S6Tree m_tree;
    QTemporaryDir m_tmp;
    QString m_agentSocket;
    QString m_rcDir; // a 64 KiB tmpfs holding the run scripts the agent edits
    bool m_mounted = false;
    std::unique_ptr<AgentProcess> m_agent;
    std::unique_ptr<ResettingAgent> m_resetting;
    DaemonProcess m_daemon;

    bool startAgent() {
        m_agent = std::make_unique<AgentProcess>();
        AgentProcess::Options options = agentOptions(m_tree);
        options.socketPath = m_agentSocket;
        options.rcSourceDir = m_rcDir;
        return m_agent->start(options);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        m_agentSocket = m_tmp.filePath("agent.sock");
        m_rcDir = m_tmp.filePath("rc");
        QVERIFY(QDir().mkpath(m_rcDir));
        m_mounted = ::mount("tmpfs", QFile::encodeName(m_rcDir).constData(), "tmpfs", 0,
                            "size=64k,mode=0755") == 0;
        QVERIFY(QDir().mkpath(m_rcDir + "/web"));
        QFile run(m_rcDir + "/web/run");
        QVERIFY(run.open(QIODevice::WriteOnly));
        run.write("#!/bin/sh\nexec sleep 100000\n");
        run.close();
        QVERIFY2(startAgent(), qPrintable(m_agent->errorString()));
        m_resetting = std::make_unique<ResettingAgent>(m_tmp.filePath("resetting.sock"));
        QVERIFY(m_resetting->listening());

        const QByteArray config =
            "containers:\n" + containerEntry("robot", m_agentSocket) +
            containerEntry("resetting", m_tmp.filePath("resetting.sock")) +
            "docker:\n  socket_path: " + m_tmp.filePath("no-docker.sock").toUtf8() +
            "\napi:\n  request_timeout_ms: 3000\n";
        QVERIFY2(m_daemon.startWithConfig(config, {"--quiet"}), m_daemon.allStderr().constData());
    }

    void cleanupTestCase() {
        QCOMPARE(m_daemon.stop(), 0);
        if (m_agent)
            m_agent->stop();
        QVERIFY(m_tree.stop());
        if (m_mounted)
            ::umount2(QFile::encodeName(m_rcDir).constData(), MNT_DETACH);
    }

    void resetMidReplyIsBadGateway() {
        DaemonClient client(m_daemon.baseUrl());
        const DaemonAnswer a = client.get("/containers/resetting/services/web/status");
        QCOMPARE(a.status, 502);
        QCOMPARE(a.json().keys(), QStringList({"detail", "error"}));
        QVERIFY2(a.json().value("error").toString().contains("resetting"), a.body.constData());
        // The daemon itself is unharmed.
        QCOMPARE(client.get("/containers/robot/services/web/status").status, 200);
    }

    void killedThenRestarted() {
        DaemonClient client(m_daemon.baseUrl());
        // A kept-alive connection to the agent exists before it dies.
        QCOMPARE(client.get("/containers/robot/services/web/status").status, 200);
        QSignalSpy died(m_agent->process(), &QProcess::finished);
        m_agent->process()->kill(); // SIGKILL: the socket file stays behind, refusing
        QVERIFY(died.wait(5000));
        const DaemonAnswer dead = client.get("/containers/robot/services/web/status");
        QCOMPARE(dead.status, 503);
        QVERIFY2(dead.json().value("error").toString().startsWith(
                     "Agent for container 'robot' is unreachable"),
                 dead.body.constData());
        // A new agent at the same path: the very next request succeeds.
        QVERIFY2(startAgent(), qPrintable(m_agent->errorString()));
        const DaemonAnswer back = client.get("/containers/robot/services/web/status");
        QCOMPARE(back.status, 200);
        QVERIFY(back.json().value("is_up").toBool());
    }

    void socketReplaced() {
        DaemonClient client(m_daemon.baseUrl());
        QCOMPARE(client.get("/containers/robot/services/status").status, 200);
        // The old agent leaves cleanly (removing its socket) and another takes the same path;
        // the pool's idle connection to the old one must not turn into an error.
        QVERIFY(m_agent->stop());
        QVERIFY2(startAgent(), qPrintable(m_agent->errorString()));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(client.get("/containers/robot/services/status").status, 200);
    }

    void configUnreadable_data() {
        QTest::addColumn<QString>("path");
        QTest::addRow("missing") << m_tmp.filePath("nope.yml");
        QTest::addRow("directory") << m_tmp.path();
    }
    void configUnreadable() {
        QFETCH(QString, path);
        QProcess daemon;
        daemon.start(DaemonProcess::binary(), {"--config", path, "--listen", "127.0.0.1:0"});
        QSignalSpy finished(&daemon, &QProcess::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(daemon.exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.exitCode(), 2);
        const QByteArray err = daemon.readAllStandardError();
        QCOMPARE(err.count('\n'), 1);
        QVERIFY2(err.contains(QFile::encodeName(path)), err.constData());
        QVERIFY(daemon.readAllStandardOutput().isEmpty()); // never "listening on"
    }

    void diskFullWritingRunScript() {
        if (!m_mounted)
            QSKIP("mounting a tmpfs needs root (run the tests as root)");
        const QString runPath = m_rcDir + "/web/run";
        QFile original(runPath);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray before = original.readAll();
        original.close();
        // Fill the file system to the last block.
        QFile filler(m_rcDir + "/filler");
        QVERIFY(filler.open(QIODevice::WriteOnly));
        const QByteArray block(4096, 'f');
        while (filler.write(block) == block.size() && filler.flush()) {
        }
        filler.close();

        DaemonClient client(m_daemon.baseUrl());
        const QByteArray script = "#!/bin/sh\n# " + QByteArray(20000, 'x') + "\nexec true\n";
        const QByteArray body =
            QJsonDocument(QJsonObject{{"content", QString::fromUtf8(script)}}).toJson();
        const DaemonAnswer a = client.call("PUT", "/containers/robot/services/web/run", body);
        QVERIFY2(a.status == 502 || a.status == 500 || a.status == 507, a.body.constData());
        QCOMPARE(a.json().keys(), QStringList({"detail", "error"}));
        const QString message =
            a.json().value("error").toString() + a.json().value("detail").toVariant().toString();
        QVERIFY2(message.contains("cannot write") && message.contains(runPath), a.body.constData());
        QVERIFY2(message.contains("No space left on device"), a.body.constData());
        // The old script is intact and no temporary file is left behind.
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(original.readAll(), before);
        QCOMPARE(QDir(m_rcDir + "/web").entryList(QDir::Files | QDir::Hidden), QStringList{"run"});
        // With room again the same write succeeds.
        QVERIFY(QFile::remove(m_rcDir + "/filler"));
        QCOMPARE(client.call("PUT", "/containers/robot/services/web/run", body).status, 200);
    }
};

QTEST_MAIN(HardenFaultsTest)
#include "harden_faults.moc"

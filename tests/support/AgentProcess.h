#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

// Runs the project's own s6-agent (SM_BIN_DIR "/s6-agent") for a test: its
// socket lives in a private QTemporaryDir, start() returns once the socket
// accepts connections, stop() sends SIGTERM and waits for a clean exit.
//
// Typical use with S6Tree:
//   AgentProcess agent;
//   QVERIFY2(agent.start(tree.scanDir(), tree.logDir(), tree.scanDir()),
//            qPrintable(agent.errorString()));
//   // or, for more control: AgentProcess::Options o; o.scanDir = ...; agent.start(o);
//   // talk HTTP/1.1 to agent.socketPath() (QLocalSocket or a plain AF_UNIX socket)
//   QVERIFY(agent.stop());          // also run by the destructor
class AgentProcess final {
public:
    struct Options {
        QString scanDir;       // --scandir
        QString logDir;        // --logdir
        QString rcSourceDir;   // --rc-source (an S6Tree's scanDir() holds run scripts)
        QStringList extraArgs; // appended as is, e.g. {"--idle-timeout", "2"}
        QString socketPath;    // empty: <private temp dir>/agent.sock
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    };

    AgentProcess();
    ~AgentProcess();
    AgentProcess(const AgentProcess &) = delete;
    AgentProcess &operator=(const AgentProcess &) = delete;

    // Starts the agent and waits until its socket accepts a connection.
    bool start(const Options &options, int timeoutMs = 10000);
    bool start(const QString &scanDir, const QString &logDir, const QString &rcSourceDir,
               const QStringList &extraArgs = QStringList(), int timeoutMs = 10000);
    // SIGTERM, then waits for exit; true when it exited with code 0.
    bool stop(int timeoutMs = 10000);
    bool isRunning() const;

    QString socketPath() const { return m_socketPath; }
    qint64 pid() const;
    QProcess *process() const { return m_process.get(); }
    QString errorString() const { return m_error; }

    static QString binaryPath();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QString m_socketPath;
    QString m_error;
};

#pragma once

// Shared by the live_* integration tests: the built system-managerd as a child process over a
// generated config (port learnt from its "listening on" line), raw SSE clients, and counts of a
// process's open sockets (to prove that streams leave no connection behind).

#include "live_sseclient.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

class LiveDaemon final {
public:
    LiveDaemon() = default;
    ~LiveDaemon() { stop(); }
    LiveDaemon(const LiveDaemon &) = delete;
    LiveDaemon &operator=(const LiveDaemon &) = delete;

    // Writes `yaml` as the config and starts the daemon on a free loopback port.
    bool start(const QByteArray &yaml, int timeoutMs = 15000) {
        QFile config(m_dir.filePath("config.yml"));
        if (!config.open(QIODevice::WriteOnly) || config.write(yaml) != yaml.size())
            return false;
        config.close();
        m_process = std::make_unique<QProcess>();
        m_process->setProgram(QStringLiteral(SM_BIN_DIR "/system-managerd"));
        m_process->setArguments(
            {"--config", config.fileName(), "--listen", "127.0.0.1:0", "--quiet"});
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
        QSignalSpy output(m_process.get(), &QProcess::readyReadStandardOutput);
        m_process->start();
        static const QRegularExpression listening("listening on http://127\\.0\\.0\\.1:(\\d+)");
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            m_stdout += m_process->readAllStandardOutput();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_stdout));
            if (match.hasMatch()) {
                m_port = quint16(match.captured(1).toUInt());
                return true;
            }
            if (m_process->state() == QProcess::NotRunning)
                return false;
            output.wait(200);
        }
        return false;
    }

    void stop() {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        QSignalSpy finished(m_process.get(), &QProcess::finished);
        ::kill(pid_t(m_process->processId()), SIGTERM);
        if (!finished.wait(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }

    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    QString dir() const { return m_dir.path(); }
    QByteArray errors() { return m_process ? m_process->readAllStandardError() : QByteArray(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    quint16 m_port = 0;
};

// Open socket descriptors of a process (TCP and Unix alike).
inline int openSockets(qint64 pid) {
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    int count = 0;
    for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files))
        count += QFile::symLinkTarget(fds.filePath(fd)).contains(QLatin1String("socket:")) ? 1 : 0;
    return count;
}

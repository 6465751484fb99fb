#pragma once

// Shared by the live_* integration tests: the built system-managerd as a child process over a
// generated config (port learnt from its "listening on" line), raw SSE clients, and counts of a
// process's open sockets and files (to prove that streams leave no connection behind).

#include "live_sseclient.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
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

// What a process's open descriptors point at (a file's path, "/proc/PID/fd/socket:[123]", ...).
inline QStringList openTargets(qint64 pid) {
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    QStringList targets;
    for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files))
        targets.append(QFile::symLinkTarget(fds.filePath(fd)));
    return targets;
}

// Open socket descriptors of a process (TCP and Unix alike).
inline int openSockets(qint64 pid) {
    int count = 0;
    for (const QString &target : openTargets(pid))
        count += target.contains(QLatin1String("socket:")) ? 1 : 0;
    return count;
}

// Open descriptors of a process on files under `dir` (an s6-agent's log follow keeps its
// service's log file open for as long as it lasts).
inline int openFilesUnder(qint64 pid, const QString &dir) {
    const QString prefix = QDir(dir).absolutePath() + u'/';
    int count = 0;
    for (const QString &target : openTargets(pid))
        count += target.startsWith(prefix) ? 1 : 0;
    return count;
}

// TCP connections of a process, listening sockets aside (the daemon's: its HTTP clients). A
// connection the peer has closed counts until the process closes its end.
inline int tcpConnections(qint64 pid) {
    QSet<QByteArray> inodes;
    for (const QString &target : openTargets(pid)) {
        // QFile::symLinkTarget() makes "socket:[123]" a path: "/proc/1/fd/socket:[123]".
        const qsizetype at = target.indexOf(QLatin1String("socket:["));
        if (at >= 0)
            inodes.insert(target.mid(at + 8, target.size() - at - 9).toLatin1());
    }
    int count = 0;
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile file(QString::fromLatin1(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        file.readLine(); // the header
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        while (!file.atEnd()) {
            const QList<QByteArray> fields = file.readLine().simplified().split(' ');
            if (fields.size() > 9 && fields[3] != "0A" && inodes.contains(fields[9]))
                ++count; // 0A: LISTEN
        }
    }
    return count;
}

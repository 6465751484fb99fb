#include "DemoStack.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace sm {

namespace {
constexpr int kStartDeadlineMs = 10000;
constexpr int kStopDeadlineMs = 8000;
constexpr int kProbeIntervalMs = 50;

bool writeFile(const QString &path, const QByteArray &data, bool executable) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(data) != data.size())
        return false;
    QFile::Permissions mode =
        QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    if (executable)
        mode |= QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    return file.setPermissions(mode);
}
} // namespace

DemoStack::DemoStack(QString agentBinary, int extraServices, QObject *parent)
    : QObject(parent)
    , m_agentBinary(std::move(agentBinary))
    , m_extraServices(extraServices) {
    m_probe.setInterval(kProbeIntervalMs);
    connect(&m_probe, &QTimer::timeout, this, &DemoStack::probeAgent);
    // The services' own output is not the daemon's: keep it out of our terminal.
    m_svscan.setStandardOutputFile(QProcess::nullDevice());
    m_svscan.setStandardErrorFile(QProcess::nullDevice());
    m_agent.setStandardOutputFile(QProcess::nullDevice());
    m_agent.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // It fails only when s6-svscan is already going away (a Ctrl-C reaches the whole process
    // group): nothing to say then, and the stop deadline covers an s6-svscan that hangs.
    m_svscanctl.setStandardOutputFile(QProcess::nullDevice());
    m_svscanctl.setStandardErrorFile(QProcess::nullDevice());
    // Should the daemon die without its orderly stop (a crash, SIGKILL), the kernel sends
    // SIGTERM to both; s6-svscan then takes its whole tree down as for s6-svscanctl -t.
    const auto dieWithParent = [] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); };
    m_svscan.setChildProcessModifier(dieWithParent);
    m_agent.setChildProcessModifier(dieWithParent);
    connect(&m_svscan, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            fail(QStringLiteral("cannot run s6-svscan (install the s6 package): %1")
                     .arg(m_svscan.errorString()));
    });
    connect(&m_agent, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            fail(QStringLiteral("cannot run %1: %2").arg(m_agentBinary, m_agent.errorString()));
    });
    connect(&m_svscan, &QProcess::started, this, &DemoStack::startAgent);
    connect(&m_svscan, &QProcess::finished, this, &DemoStack::checkStopped);
    connect(&m_svscanctl, &QProcess::finished, this, &DemoStack::checkStopped);
    connect(&m_svscanctl, &QProcess::errorOccurred, this, &DemoStack::checkStopped);
    connect(&m_agent, &QProcess::finished, this, [this] {
        if (!m_stopping)
            fail(QStringLiteral("the demo s6-agent exited"));
        checkStopped();
    });
}

DemoStack::~DemoStack() {
    // Last resort when stop() was not awaited: leave no process behind.
    for (QProcess *p : {&m_agent, &m_svscan, &m_svscanctl}) {
        if (p->state() != QProcess::NotRunning)
            p->kill();
    }
    killLeftovers();
}

void DemoStack::killLeftovers() {
    // s6-svscan going away does not always take every s6-supervise, service and s6-log with it
    // (a supervisor killed mid-shutdown orphans its service). They all run with their working
    // directory inside the demo tree, which is how they are found. A few dozen readlink()s.
    if (!m_dir.isValid())
        return;
    const QString prefix = QFileInfo(m_dir.path()).canonicalFilePath();
    if (prefix.isEmpty())
        return;
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &pidText : pids) {
        bool isNumber = false;
        const pid_t pid = pidText.toInt(&isNumber);
        if (!isNumber || pid == ::getpid())
            continue;
        const QString cwd = QFile::symLinkTarget(QStringLiteral("/proc/%1/cwd").arg(pid));
        if (cwd == prefix || cwd.startsWith(prefix + u'/'))
            ::kill(pid, SIGKILL);
    }
}

bool DemoStack::writeTree(QString *error) {
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    const QByteArray logDirBytes = logDir().toUtf8();
    QDirIterator it(QStringLiteral(":/demo"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString source = it.next();
        const QString relative = source.mid(QStringLiteral(":/demo/").size());
        const QString target = scanDir() + u'/' + relative;
        QFile in(source);
        if (!QDir().mkpath(QFileInfo(target).path()) || !in.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot prepare %1").arg(target);
            return false;
        }
        QByteArray data = in.readAll().replace("@LOGDIR@", logDirBytes);
        const bool executable = relative.endsWith(QStringLiteral("/run"));
        if (!writeFile(target, data, executable)) {
            *error = QStringLiteral("cannot write %1").arg(target);
            return false;
        }
        if (relative.endsWith(QStringLiteral("/log/run")))
            QDir().mkpath(logDir() + u'/' + relative.section(u'/', 0, 0));
    }
    for (int i = 1; i <= m_extraServices; ++i) {
        const QString dir = scanDir() + QStringLiteral("/extra%1").arg(i, 2, 10, QChar(u'0'));
        if (!QDir().mkpath(dir) ||
            !writeFile(dir + QStringLiteral("/run"), "#!/bin/sh\nexec sleep 86400\n", true)) {
            *error = QStringLiteral("cannot write %1").arg(dir);
            return false;
        }
    }
    const QByteArray config = "# Generated by system-managerd --demo\ncontainers:\n"
                              "  - name: demo\n    socket_path: \"" +
                              agentSocket().toUtf8() +
                              "\"\n    services:\n"
                              "      - {id: web, label: Web server}\n"
                              "      - {id: crashy, label: Crash loop}\n"
                              "      - {id: standby, label: Standby (normally down)}\n"
                              "      - {id: chatter, label: Chatter (logs via s6-log)}\n"
                              // History lives and dies with the demo's directory.
                              "state:\n  dir: \"" +
                              (root() + QStringLiteral("/state")).toUtf8() + "\"\n";
    if (!writeFile(configPath(), config, false)) {
        *error = QStringLiteral("cannot write %1").arg(configPath());
        return false;
    }
    return true;
}

void DemoStack::start() {
    QString error;
    if (!writeTree(&error)) {
        fail(error);
        return;
    }
    m_since.start();
    m_svscan.start(QStringLiteral("s6-svscan"), {scanDir()});
}

void DemoStack::startAgent() {
    m_agent.start(m_agentBinary,
                  {QStringLiteral("--socket"), agentSocket(), QStringLiteral("--scandir"),
                   scanDir(), QStringLiteral("--logdir"), logDir(), QStringLiteral("--rc-source"),
                   scanDir()});
    m_probe.start();
}

void DemoStack::probeAgent() {
    if (m_since.elapsed() > kStartDeadlineMs) {
        fail(QStringLiteral("the demo s6-agent did not open %1 in time").arg(agentSocket()));
        return;
    }
    if (!QFile::exists(agentSocket()))
        return;
    m_probe.stop();
    // One asynchronous connection attempt: the agent is ready once it accepts.
    auto *socket = new QLocalSocket(this);
    connect(socket, &QLocalSocket::connected, this, [this, socket] {
        socket->deleteLater();
        if (!m_failed && !m_stopping)
            Q_EMIT ready();
    });
    connect(socket, &QLocalSocket::errorOccurred, this, [this, socket] {
        socket->deleteLater();
        if (!m_failed && !m_stopping)
            m_probe.start();
    });
    socket->connectToServer(agentSocket());
}

void DemoStack::fail(const QString &reason) {
    if (m_failed || m_stopping)
        return;
    m_failed = true;
    m_probe.stop();
    Q_EMIT failed(reason);
}

void DemoStack::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    m_probe.stop();
    if (m_agent.state() != QProcess::NotRunning)
        m_agent.terminate();
    if (m_svscan.state() != QProcess::NotRunning)
        m_svscanctl.start(QStringLiteral("s6-svscanctl"), {QStringLiteral("-t"), scanDir()});
    // If s6 does not finish in time, kill what is left rather than hang the shutdown.
    QTimer::singleShot(kStopDeadlineMs, this, [this] {
        for (QProcess *p : {&m_agent, &m_svscan, &m_svscanctl}) {
            if (p->state() != QProcess::NotRunning)
                p->kill();
        }
    });
    checkStopped();
}

void DemoStack::checkStopped() {
    if (m_stopping && !m_stoppedSent && m_agent.state() == QProcess::NotRunning &&
        m_svscan.state() == QProcess::NotRunning && m_svscanctl.state() == QProcess::NotRunning) {
        m_stoppedSent = true;
        killLeftovers();
        QMetaObject::invokeMethod(this, &DemoStack::stopped, Qt::QueuedConnection);
    }
}

} // namespace sm

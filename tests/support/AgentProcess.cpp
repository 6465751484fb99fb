#include "AgentProcess.h"

#include <QFile>
#include <QTest>

#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

bool socketAccepts(const QString &path) {
    const QByteArray native = QFile::encodeName(path);
    sockaddr_un addr{};
    if (native.size() >= static_cast<qsizetype>(sizeof(addr.sun_path)))
        return false;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, native.constData(), static_cast<size_t>(native.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
}

} // namespace

AgentProcess::AgentProcess() = default;

AgentProcess::~AgentProcess() {
    stop();
}

QString AgentProcess::binaryPath() {
    return QStringLiteral(SM_BIN_DIR "/s6-agent");
}

bool AgentProcess::start(const Options &options, int timeoutMs) {
    if (isRunning()) {
        m_error = QStringLiteral("agent already running");
        return false;
    }
    m_socketPath = options.socketPath.isEmpty() ? m_dir.path() + QStringLiteral("/agent.sock")
                                                : options.socketPath;
    QStringList args{QStringLiteral("--socket"), m_socketPath};
    if (!options.scanDir.isEmpty())
        args << QStringLiteral("--scandir") << options.scanDir;
    if (!options.logDir.isEmpty())
        args << QStringLiteral("--logdir") << options.logDir;
    if (!options.rcSourceDir.isEmpty())
        args << QStringLiteral("--rc-source") << options.rcSourceDir;
    args << options.extraArgs;

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(binaryPath());
    m_process->setArguments(args);
    m_process->setProcessEnvironment(options.environment);
    m_process->setProcessChannelMode(QProcess::ForwardedChannels);
    m_process->start();
    if (!m_process->waitForStarted(timeoutMs)) {
        m_error = QStringLiteral("cannot start %1: %2").arg(binaryPath(), m_process->errorString());
        m_process.reset();
        return false;
    }
    const bool ready = QTest::qWaitFor(
        [&] { return m_process->state() != QProcess::Running || socketAccepts(m_socketPath); },
        timeoutMs);
    if (!ready || m_process->state() != QProcess::Running) {
        m_error = QStringLiteral("s6-agent did not accept connections on %1").arg(m_socketPath);
        stop();
        return false;
    }
    return true;
}

bool AgentProcess::start(const QString &scanDir, const QString &logDir, const QString &rcSourceDir,
                         const QStringList &extraArgs, int timeoutMs) {
    Options options;
    options.scanDir = scanDir;
    options.logDir = logDir;
    options.rcSourceDir = rcSourceDir;
    options.extraArgs = extraArgs;
    return start(options, timeoutMs);
}

bool AgentProcess::stop(int timeoutMs) {
    if (!m_process)
        return true;
    bool ok = true;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(timeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(2000);
            ok = false;
        }
    }
    ok = ok && m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
    if (!ok && m_error.isEmpty())
        m_error = QStringLiteral("s6-agent did not exit cleanly");
    m_process.reset();
    return ok;
}

bool AgentProcess::isRunning() const {
    return m_process && m_process->state() == QProcess::Running;
}

qint64 AgentProcess::pid() const {
    return m_process ? m_process->processId() : 0;
}

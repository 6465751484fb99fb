#include "S6Tree.h"

#include "platform/Files.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

namespace {

QByteArray runTool(const QString &program, const QStringList &args, int *exitCode = nullptr) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(10000)) {
        p.kill();
        p.waitForFinished(1000);
        if (exitCode)
            *exitCode = -1;
        return {};
    }
    if (exitCode)
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return p.readAllStandardOutput();
}

} // namespace

S6Tree::S6Tree() {
    if (m_root.isValid()) {
        QDir().mkpath(scanDir());
        QDir().mkpath(logDir());
    }
}

S6Tree::~S6Tree() {
    stop();
}

bool S6Tree::addService(const QString &name, const QString &runScript,
                        const ServiceOptions &options) {
    // Built under a staging name first so s6-svscan never sees half a service.
    const QString staging = root() + "/.staging-" + name;
    QDir().mkpath(staging);
    bool ok = sm::writeFile(staging + "/run", runScript.toUtf8(), true);
    if (options.downFile)
        ok = ok && sm::writeFile(staging + "/down", {}, false);
    if (options.notificationFd >= 0)
        ok = ok && sm::writeFile(staging + "/notification-fd",
                                 QByteArray::number(options.notificationFd) + '\n', false);
    if (!options.finishScript.isEmpty())
        ok = ok && sm::writeFile(staging + "/finish", options.finishScript.toUtf8(), true);
    if (options.logger) {
        QDir().mkpath(staging + "/log");
        QDir().mkpath(logDir() + '/' + name);
        const QString script = QStringLiteral("#!/bin/sh\nexec s6-log %1 %2\n")
                                   .arg(options.loggerArgs, logDir() + '/' + name);
        ok = ok && sm::writeFile(staging + "/log/run", script.toUtf8(), true);
    }
    if (!ok || ::rename(QFile::encodeName(staging).constData(),
                        QFile::encodeName(serviceDir(name)).constData()) != 0) {
        m_error = QStringLiteral("cannot create service %1").arg(name);
        return false;
    }
    m_services << name;
    if (isRunning())
        return rescan() && waitUntilSupervised(name);
    return true;
}

bool S6Tree::start(int timeoutMs) {
    if (isRunning())
        return true;
    m_svscan = std::make_unique<QProcess>();
    m_svscan->setProgram(QStringLiteral("s6-svscan"));
    m_svscan->setArguments({scanDir()});
    m_svscan->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // Its own session, so a leftover can be found and killed as a group.
    m_svscan->setChildProcessModifier([] { ::setsid(); });
    m_svscan->start();
    if (!m_svscan->waitForStarted(timeoutMs)) {
        m_error = QStringLiteral("cannot start s6-svscan: ") + m_svscan->errorString();
        m_svscan.reset();
        return false;
    }
    for (const QString &name : std::as_const(m_services)) {
        if (!waitUntilSupervised(name, timeoutMs)) {
            m_error = QStringLiteral("service %1 did not get a supervisor").arg(name);
            return false;
        }
    }
    return true;
}

bool S6Tree::stop(int timeoutMs) {
    bool ok = true;
    if (m_svscan) {
        if (m_svscan->state() != QProcess::NotRunning) {
            int code = 0;
            runTool(QStringLiteral("s6-svscanctl"), {QStringLiteral("-t"), scanDir()}, &code);
            if (!m_svscan->waitForFinished(timeoutMs)) {
                ok = false;
                m_svscan->kill();
                m_svscan->waitForFinished(2000);
            }
        }
        m_svscan.reset();
    }
    // Anything whose working directory is inside this tree belongs to it (s6-supervise, run
    // scripts, s6-log): none may outlive the test.
    if (m_root.isValid())
        sm::killProcessesIn(root());
    return ok;
}

bool S6Tree::isRunning() const {
    return m_svscan && m_svscan->state() == QProcess::Running;
}

QString S6Tree::svstat(const QString &name, const QStringList &extraArgs) const {
    QByteArray out =
        runTool(QStringLiteral("s6-svstat"), extraArgs + QStringList{serviceDir(name)});
    if (out.endsWith('\n'))
        out.chop(1);
    return QString::fromUtf8(out);
}

bool S6Tree::svc(const QString &name, const QString &flags) const {
    int code = -1;
    runTool(QStringLiteral("s6-svc"), {flags, serviceDir(name)}, &code);
    return code == 0;
}

QJsonArray S6Tree::svdtDeaths(const QString &name) const {
    int code = -1;
    const QByteArray out = runTool(QStringLiteral("s6-svdt"), {serviceDir(name)}, &code);
    if (code != 0)
        return QJsonArray{QJsonObject{{"s6-svdt failed", code}}};
    // "@400000006b0f867f16da1bdc signal SIGKILL" / "@... exitcode 3".
    static const QRegularExpression line(
        QStringLiteral("^@([0-9a-f]{16})[0-9a-f]{8} (exitcode (\\d+)|signal (SIG\\w+))$"));
    QJsonArray deaths;
    for (const QString &text : QString::fromUtf8(out).split(u'\n', Qt::SkipEmptyParts)) {
        const auto m = line.match(text);
        if (!m.hasMatch()) {
            deaths.prepend(QJsonObject{{"unparsed", text}});
            continue;
        }
        // TAI64 label - 2^62, less the 37 s TAI is ahead of UTC.
        const qint64 unix =
            qint64(m.captured(1).toULongLong(nullptr, 16) - (quint64(1) << 62)) - 37;
        QJsonObject death;
        death["time"] = QDateTime::fromSecsSinceEpoch(unix, Qt::UTC).toString(Qt::ISODate);
        death["exit_code"] = m.captured(3).isEmpty() ? QJsonValue() : m.captured(3).toInt();
        death["signal"] = m.captured(4).isEmpty() ? QJsonValue() : m.captured(4);
        deaths.prepend(death);
    }
    return deaths;
}

bool S6Tree::isSupervised(const QString &name) const {
    // Opening a FIFO for writing without blocking fails with ENXIO when
    // nobody reads it: exactly "no s6-supervise", which is what s6-svc checks.
    const QByteArray path = QFile::encodeName(serviceDir(name) + "/supervise/control");
    const int fd = ::open(path.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    ::close(fd);
    return QFileInfo::exists(serviceDir(name) + "/supervise/status");
}

bool S6Tree::isUp(const QString &name) const {
    return svstat(name, {QStringLiteral("-u")}) == QLatin1String("true");
}

bool S6Tree::waitUntilSupervised(const QString &name, int timeoutMs) const {
    return QTest::qWaitFor([&] { return isSupervised(name); }, timeoutMs);
}

bool S6Tree::waitUntilUp(const QString &name, int timeoutMs) const {
    return QTest::qWaitFor([&] { return isUp(name); }, timeoutMs);
}

bool S6Tree::rescan() {
    int code = -1;
    runTool(QStringLiteral("s6-svscanctl"), {QStringLiteral("-a"), scanDir()}, &code);
    if (code != 0)
        m_error = QStringLiteral("s6-svscanctl -a failed");
    return code == 0;
}

#include "PodmanService.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

namespace {
QString scriptPath() {
    return QStringLiteral(SM_SOURCE_DIR "/scripts/podman-service");
}
} // namespace

PodmanService::PodmanService()
    : m_dir(QDir::tempPath() + QStringLiteral("/sm-podman-XXXXXX"))
    , m_path(m_dir.path()) {}

PodmanService::~PodmanService() {
    stop();
}

bool PodmanService::installed() {
    return !QStandardPaths::findExecutable(QStringLiteral("podman")).isEmpty();
}

bool PodmanService::script(const QStringList &args, QString *output, int timeoutMs) {
    QProcess p;
    p.setProgram(scriptPath());
    p.setArguments(args);
    p.start();
    // A helper outside any event-driven code under test: waiting for a CLI here is fine.
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        m_error = QStringLiteral("podman-service %1 timed out").arg(args.join(QLatin1Char(' ')));
        return false;
    }
    const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    if (output)
        *output = out;
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error = QStringLiteral("podman-service %1 failed (%2): %3")
                      .arg(args.join(QLatin1Char(' ')))
                      .arg(p.exitCode())
                      .arg(QString::fromUtf8(p.readAllStandardError()).trimmed());
        return false;
    }
    return true;
}

void PodmanService::reapAbandoned() {
    QDirIterator it(QDir::tempPath(), {QStringLiteral("sm-podman-*")}, QDir::Dirs);
    while (it.hasNext()) {
        const QString dir = it.next();
        QFile owner(dir + QStringLiteral("/owner.pid"));
        if (!owner.open(QIODevice::ReadOnly))
            continue;
        const qint64 pid = owner.readAll().trimmed().toLongLong();
        if (pid <= 0 || QFile::exists(QStringLiteral("/proc/%1").arg(pid)))
            continue;
        QProcess::execute(scriptPath(), {QStringLiteral("stop"), dir});
    }
}

bool PodmanService::start(int timeoutMs) {
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    if (!m_running) {
        reapAbandoned();
        QFile owner(m_path + QStringLiteral("/owner.pid"));
        if (owner.open(QIODevice::WriteOnly))
            owner.write(QByteArray::number(QCoreApplication::applicationPid()));
    }
    QElapsedTimer timer;
    timer.start();
    QString out;
    m_running = true; // from here on stop() has something to clean up
    if (!script({QStringLiteral("start"), m_path}, &out, timeoutMs))
        return false;
    m_startupMs = timer.elapsed();
    return true;
}

bool PodmanService::stopService() {
    QString ignored;
    return script({QStringLiteral("stop-service"), m_path}, &ignored, 30000);
}

void PodmanService::stop() {
    if (!m_running)
        return;
    m_running = false;
    QString ignored;
    script({QStringLiteral("stop"), m_path}, &ignored, 60000);
    // The script unmounts leftovers already; this is the last line of defence.
    for (const QString &mount : mountsBelowRoot())
        QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), mount});
}

bool PodmanService::podman(const QStringList &args, QString *output, int timeoutMs) {
    return script(QStringList{QStringLiteral("podman"), m_path} + args, output, timeoutMs);
}

QString PodmanService::run(const QString &name, const QString &script, bool tty, bool startIt) {
    QStringList args = {startIt ? QStringLiteral("run") : QStringLiteral("create"),
                        QStringLiteral("--name"), name, QStringLiteral("--network"),
                        QStringLiteral("none")};
    if (startIt)
        args << QStringLiteral("-d");
    if (tty)
        args << QStringLiteral("-t");
    args << QStringLiteral("localhost/tiny:latest") << QStringLiteral("sh") << QStringLiteral("-c")
         << script;
    QString out;
    if (!podman(args, &out))
        return {};
    return out.section(QLatin1Char('\n'), -1).trimmed();
}

int PodmanService::wait(const QString &name) {
    QString out;
    if (!podman({QStringLiteral("wait"), name}, &out))
        return -1;
    bool ok = false;
    const int code = out.toInt(&ok);
    return ok ? code : -1;
}

QStringList PodmanService::mountsBelowRoot() const {
    QStringList found;
    QFile mounts(QStringLiteral("/proc/self/mounts"));
    if (!mounts.open(QIODevice::ReadOnly))
        return found;
    const QByteArray prefix = m_path.toLocal8Bit() + '/';
    for (const QByteArray &line : mounts.readAll().split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() > 1 && fields[1].startsWith(prefix))
            found.append(QString::fromLocal8Bit(fields[1]));
    }
    // Deepest first, so nested mounts come off before their parents.
    std::sort(found.begin(), found.end(), std::greater<>());
    return found;
}

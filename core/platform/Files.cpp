#include "Files.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <csignal>
#include <unistd.h>

namespace sm {

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

void killProcessesIn(const QString &dir) {
    const QString prefix = QFileInfo(dir).canonicalFilePath();
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

} // namespace sm

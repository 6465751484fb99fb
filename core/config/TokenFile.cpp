#include "TokenFile.h"

#include <QFile>

namespace sm {

TokenRead readTokenFile(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {{}, QStringLiteral("cannot read token_file %1: %2").arg(path, file.errorString())};
    const QString token = QString::fromUtf8(file.read(64 * 1024)).trimmed();
    if (token.isEmpty())
        return {{}, QStringLiteral("token_file %1 is empty").arg(path)};
    return {token, {}};
}

} // namespace sm

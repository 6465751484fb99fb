#include "docker/DockerTime.h"

#include <QDateTime>
#include <QRegularExpression>

namespace sm {

namespace {
const QString IsoFormat = QStringLiteral("yyyy-MM-ddTHH:mm:ss'Z'");
}

QString dockerTimeFromUnix(double seconds) {
    // Up to the year 9999; anything else (NaN, overflow) is not a time.
    if (!(seconds >= 0 && seconds < 253402300800.0))
        return {};
    return QDateTime::fromSecsSinceEpoch(qint64(seconds), Qt::UTC).toString(IsoFormat);
}

QString dockerTimeFromRfc3339(const QString &text) {
    // Qt's ISO parser stops at milliseconds; the fraction is dropped here anyway (seconds
    // precision everywhere), so it is cut before parsing.
    static const QRegularExpression re(
        QStringLiteral(
            R"(^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:[.,]\d+)?(Z|[+-]\d{2}:?\d{2})$)"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return text;
    QString zone = m.captured(2).toUpper();
    if (zone != QLatin1String("Z") && zone.size() == 5)
        zone.insert(3, QLatin1Char(':'));
    const QDateTime dt = QDateTime::fromString(m.captured(1) + zone, Qt::ISODate);
    if (!dt.isValid())
        return text;
    return dt.toUTC().toString(IsoFormat);
}

} // namespace sm

#include "ServiceState.h"

#include <QDateTime>
#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace sm {

BadgeState serviceBadge(const ServiceStatus &s) {
    if (s.failed())
        return BadgeState::Failed;
    // It dies and s6 restarts it, over and over: so even while it happens to be up.
    if (s.crashLooping())
        return BadgeState::CrashLoop;
    if (s.isUp)
        return s.paused.value_or(false) ? BadgeState::Paused : BadgeState::Up;
    return BadgeState::Down;
}

QColor reachabilityColor(std::optional<bool> reachable) {
    if (!reachable)
        return QColor(0xbd, 0xbd, 0xbd);
    return *reachable ? QColor(0x43, 0xa0, 0x47) : QColor(0xe5, 0x39, 0x35);
}

QIcon dotIcon(const QColor &color) {
    static QHash<QRgb, QIcon> made; // a handful of colors, drawn once each
    if (const auto it = made.constFind(color.rgb()); it != made.constEnd())
        return *it;
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(color.darker(130));
    p.setBrush(color);
    p.drawEllipse(QRectF(3.5, 3.5, 9, 9));
    p.end();
    return *made.insert(color.rgb(), QIcon(pixmap));
}

BadgeState dockerBadge(const QString &state) {
    if (state == QLatin1String("running"))
        return BadgeState::Up;
    if (state == QLatin1String("paused"))
        return BadgeState::Paused;
    if (state == QLatin1String("restarting"))
        return BadgeState::CrashLoop;
    if (state == QLatin1String("created"))
        return BadgeState::Transition;
    if (state == QLatin1String("exited") || state == QLatin1String("dead"))
        return BadgeState::Down;
    return BadgeState::Unknown;
}

QString badgeText(BadgeState state) {
    switch (state) {
    case BadgeState::Up:
        return QStringLiteral("up");
    case BadgeState::Down:
        return QStringLiteral("down");
    case BadgeState::CrashLoop:
        return QStringLiteral("crash loop");
    case BadgeState::Failed:
        return QStringLiteral("failed");
    case BadgeState::Paused:
        return QStringLiteral("paused");
    case BadgeState::Transition:
        return QStringLiteral("created");
    case BadgeState::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QColor badgeColor(BadgeState state) {
    switch (state) {
    case BadgeState::Up:
        return QColor(0x2e, 0x7d, 0x32);
    case BadgeState::Down:
        return QColor(0x75, 0x75, 0x75);
    case BadgeState::CrashLoop:
        return QColor(0xc6, 0x28, 0x28);
    case BadgeState::Failed:
        return QColor(0x6a, 0x1b, 0x9a);
    case BadgeState::Paused:
        return QColor(0xef, 0x8f, 0x00);
    case BadgeState::Transition:
        return QColor(0x15, 0x65, 0xc0);
    case BadgeState::Unknown:
        break;
    }
    return QColor(0x9e, 0x9e, 0x9e);
}

QString formatDuration(qint64 s) {
    if (s < 0)
        return {};
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10,
                                                           QLatin1Char('0'));
    return QStringLiteral("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
}

QString formatTimestamp(const QString &iso) {
    if (iso.isEmpty())
        return {};
    const QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!t.isValid() || t.toSecsSinceEpoch() <= 0)
        return iso.startsWith(QLatin1String("0001")) ? QString() : iso;
    return t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace sm

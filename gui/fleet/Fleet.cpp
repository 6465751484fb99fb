#include "Fleet.h"

namespace sm {

Fleet::Fleet(const QList<FleetRobot> &robots, QObject *parent)
    : QObject(parent) {
    for (const FleetRobot &robot : robots) {
        auto *link = new RobotLink(robot, this);
        const int index = int(m_links.size());
        m_links.append(link);
        connect(link, &RobotLink::changed, this, [this, index] { Q_EMIT robotChanged(index); });
        connect(link, &RobotLink::containersChanged, this,
                [this, index] { Q_EMIT robotContainersChanged(index); });
    }
}

Fleet::~Fleet() = default;

void Fleet::start() {
    for (RobotLink *link : std::as_const(m_links))
        link->start();
}

void Fleet::setRequestTimeout(int ms) {
    for (RobotLink *link : std::as_const(m_links))
        link->setRequestTimeout(ms);
}

void Fleet::refresh() {
    for (RobotLink *link : std::as_const(m_links))
        link->refresh();
}

int Fleet::indexOf(const QString &name) const {
    for (int i = 0; i < m_links.size(); ++i)
        if (m_links.at(i)->robot().name == name)
            return i;
    return -1;
}

namespace {
QString counted(int n, const char *one, const char *many) {
    return QStringLiteral("%1 %2").arg(n).arg(QObject::tr(n == 1 ? one : many));
}
} // namespace

QString fleetSummary(const RobotLink &robot) {
    if (robot.link() == RobotLink::Link::NoToken)
        return QObject::tr("no token");
    // What was counted before the link went is no longer known to be so.
    if (robot.link() == RobotLink::Link::Down)
        return QObject::tr("unreachable");
    if (!robot.readError().isEmpty())
        return QObject::tr("cannot read: %1").arg(robot.readError());
    if (!robot.isLoaded() && robot.counts().total() == 0)
        return QObject::tr("connecting…");
    const RobotLink::Counts c = robot.counts();
    QStringList parts;
    if (c.crashLoop)
        parts.append(counted(c.crashLoop, "crash loop", "crash loops"));
    if (c.failed)
        parts.append(counted(c.failed, "failed", "failed"));
    if (c.down)
        parts.append(counted(c.down, "down", "down"));
    if (c.agentsDown)
        parts.append(counted(c.agentsDown, "agent away", "agents away"));
    if (parts.isEmpty()) {
        const QString up = QObject::tr("all %1 up").arg(c.up);
        return c.stopped ? QStringLiteral("%1, %2 stopped").arg(up).arg(c.stopped) : up;
    }
    return parts.join(QStringLiteral(", "));
}

QString linkWord(RobotLink::Link link) {
    switch (link) {
    case RobotLink::Link::Connecting:
        return QObject::tr("connecting");
    case RobotLink::Link::Up:
        return QObject::tr("reachable");
    case RobotLink::Link::Down:
        return QObject::tr("unreachable");
    case RobotLink::Link::NoToken:
        return QObject::tr("no token");
    }
    return {};
}

QColor linkColor(RobotLink::Link link) {
    switch (link) {
    case RobotLink::Link::Up:
        return reachabilityColor(true);
    case RobotLink::Link::Down:
    case RobotLink::Link::NoToken:
        return reachabilityColor(false);
    case RobotLink::Link::Connecting:
        break;
    }
    return reachabilityColor(std::nullopt);
}

} // namespace sm

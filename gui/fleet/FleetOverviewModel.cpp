#include "FleetOverviewModel.h"

#include "Fleet.h"
#include "ServiceState.h"

#include <QLocale>

namespace sm {

FleetOverviewModel::FleetOverviewModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void FleetOverviewModel::setFleet(Fleet *fleet) {
    beginResetModel();
    if (m_fleet)
        m_fleet->disconnect(this);
    m_fleet = fleet;
    if (fleet) {
        connect(fleet, &Fleet::robotChanged, this, [this](int robot) {
            Q_EMIT dataChanged(index(robot, 0), index(robot, ColumnCount - 1));
        });
        connect(fleet, &QObject::destroyed, this, [this] { setFleet(nullptr); });
    }
    endResetModel();
}

int FleetOverviewModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() || !m_fleet ? 0 : m_fleet->size();
}

int FleetOverviewModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetOverviewModel::data(const QModelIndex &index, int role) const {
    if (!m_fleet ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RobotLink &link = *m_fleet->at(index.row());
    const RobotLink::Counts c = link.counts();
    const bool known = link.isLoaded() || c.total() > 0;
    auto count = [&](int n) -> QVariant {
        if (role == SortRole)
            return known ? n : -1;
        return known ? QVariant(n) : QVariant(QStringLiteral("–"));
    };
    if (role == RobotRole)
        return index.row();
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (Column(index.column())) {
        case Robot:
            return link.robot().name;
        case Link:
            return role == SortRole ? QVariant(int(link.link())) : QVariant(linkWord(link.link()));
        case Up:
            return count(c.up);
        case Down:
            return count(c.down);
        case Stopped:
            return count(c.stopped);
        case CrashLoop:
            return count(c.crashLoop);
        case Failed:
            return count(c.failed);
        case LastEvent: {
            const RobotLink::LastEvent e = link.lastEvent();
            if (role == SortRole)
                return e.at.toMSecsSinceEpoch();
            if (!e.at.isValid())
                return QString();
            return QStringLiteral("%1  %2").arg(
                QLocale().toString(e.at, QStringLiteral("yyyy-MM-dd HH:mm:ss")), e.text);
        }
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == Qt::DecorationRole && index.column() == Link)
        return dotIcon(linkColor(link.link()));
    if (role == Qt::ToolTipRole && index.column() == Link)
        return link.readError().isEmpty() ? link.linkText() : link.readError();
    if (role == Qt::ToolTipRole && index.column() == Robot)
        return link.robot().url.toString();
    if (role == Qt::ForegroundRole) {
        // Counts from before the link went are greyed: no longer known to be so.
        if (link.link() != RobotLink::Link::Up && index.column() >= Up && index.column() <= Failed)
            return QColor(0x9e, 0x9e, 0x9e);
        // What needs someone's attention is colored; up and stopped are not.
        if (index.column() == CrashLoop && c.crashLoop > 0)
            return badgeColor(BadgeState::CrashLoop);
        if (index.column() == Failed && c.failed > 0)
            return badgeColor(BadgeState::Failed);
        if (index.column() == Down && c.down > 0)
            return QColor(0xc6, 0x28, 0x28);
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Up && index.column() <= Failed)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant FleetOverviewModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Robot:
        return tr("Robot");
    case Link:
        return tr("Link");
    case Up:
        return tr("Up");
    case Down:
        return tr("Down");
    case Stopped:
        return tr("Stopped");
    case CrashLoop:
        return tr("Crash loop");
    case Failed:
        return tr("Failed");
    case LastEvent:
        return tr("Last event");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace sm

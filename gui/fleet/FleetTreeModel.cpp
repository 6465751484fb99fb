#include "FleetTreeModel.h"

#include "Fleet.h"
#include "ServiceState.h"

namespace sm {

FleetTreeModel::FleetTreeModel(QObject *parent)
    : QAbstractItemModel(parent) {}

void FleetTreeModel::setFleet(Fleet *fleet) {
    beginResetModel();
    if (m_fleet)
        m_fleet->disconnect(this);
    m_fleet = fleet;
    m_children.clear();
    if (fleet) {
        for (int i = 0; i < fleet->size(); ++i)
            m_children.append(QStringList());
        connect(fleet, &Fleet::robotChanged, this, [this](int robot) {
            const QModelIndex at = robotIndex(robot);
            Q_EMIT dataChanged(at, at);
        });
        connect(fleet, &Fleet::robotContainersChanged, this, &FleetTreeModel::syncChildren);
        connect(fleet, &QObject::destroyed, this, [this] { setFleet(nullptr); });
    }
    endResetModel();
    if (fleet)
        for (int i = 0; i < fleet->size(); ++i)
            syncChildren(i);
}

void FleetTreeModel::syncChildren(int robot) {
    const RobotLink *link = m_fleet->at(robot);
    QStringList children = link->containers();
    if (link->dockerAvailable().has_value())
        children.append(QString());
    const QModelIndex parent = robotIndex(robot);
    QStringList &known = m_children[robot];
    // Row by row, so that the entry someone has selected stays selected.
    for (int row = int(known.size()) - 1; row >= 0; --row) {
        if (children.contains(known.at(row)))
            continue;
        beginRemoveRows(parent, row, row);
        known.removeAt(row);
        endRemoveRows();
    }
    for (int row = 0; row < children.size(); ++row) {
        if (row < known.size() && known.at(row) == children.at(row))
            continue;
        const qsizetype at = known.indexOf(children.at(row));
        if (at >= 0) { // moved: the daemon's order changed
            beginMoveRows(parent, int(at), int(at), parent, row);
            known.move(at, row);
            endMoveRows();
        } else {
            beginInsertRows(parent, row, row);
            known.insert(row, children.at(row));
            endInsertRows();
        }
    }
    if (!known.isEmpty()) // reachability
        Q_EMIT dataChanged(index(0, 0, parent), index(int(known.size()) - 1, 0, parent));
}

QModelIndex FleetTreeModel::childIndex(int robot, const QString &name) const {
    if (robot < 0 || robot >= m_children.size())
        return {};
    const qsizetype row = m_children.at(robot).indexOf(name);
    return row < 0 ? QModelIndex() : index(int(row), 0, robotIndex(robot));
}

QModelIndex FleetTreeModel::index(int row, int column, const QModelIndex &parent) const {
    if (!hasIndex(row, column, parent))
        return {};
    // Top-level entries carry id 0; a robot's children carry the robot's index + 1.
    return createIndex(row, column, parent.isValid() ? quintptr(parent.row()) : quintptr(0));
}

QModelIndex FleetTreeModel::parent(const QModelIndex &child) const {
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId()), 0, quintptr(0));
}

int FleetTreeModel::rowCount(const QModelIndex &parent) const {
    if (!parent.isValid())
        return m_fleet ? int(m_children.size()) + 1 : 0;
    if (parent.internalId() != 0 || parent.row() == 0 || parent.column() != 0)
        return 0;
    return int(m_children.at(parent.row() - 1).size());
}

int FleetTreeModel::columnCount(const QModelIndex &) const {
    return 1;
}

QVariant FleetTreeModel::data(const QModelIndex &index, int role) const {
    if (!m_fleet || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const bool child = index.internalId() != 0;
    const int robot = child ? int(index.internalId()) - 1 : index.row() - 1;
    if (!child && robot < 0) {
        switch (role) {
        case Qt::DisplayRole:
            return tr("All robots");
        case KindRole:
            return int(OverviewEntry);
        case RobotRole:
            return -1;
        case Qt::ToolTipRole:
            return tr("One row per robot: reachable, services up, down, crash-looping");
        default:
            return {};
        }
    }
    const RobotLink *link = m_fleet->at(robot);
    if (!child) {
        switch (role) {
        case Qt::DisplayRole:
            return QStringLiteral("%1 — %2").arg(link->robot().name, fleetSummary(*link));
        case NameRole:
            return link->robot().name;
        case KindRole:
            return int(RobotEntry);
        case RobotRole:
            return robot;
        case Qt::DecorationRole:
            return dotIcon(linkColor(link->link()));
        case Qt::ToolTipRole:
            return QStringLiteral("%1\n%2: %3")
                .arg(link->robot().url.toString(), linkWord(link->link()), link->linkText());
        default:
            return {};
        }
    }
    const QString name = m_children.at(robot).at(index.row());
    const bool docker = name.isEmpty();
    const std::optional<bool> reachable =
        docker ? link->dockerAvailable() : link->agentReachable(name);
    switch (role) {
    case Qt::DisplayRole:
        return docker ? tr("Docker") : name;
    case NameRole:
        return name;
    case KindRole:
        return int(docker ? DockerEntry : ContainerEntry);
    case RobotRole:
        return robot;
    case Qt::DecorationRole:
        return dotIcon(reachabilityColor(reachable));
    default:
        return {};
    }
}

} // namespace sm

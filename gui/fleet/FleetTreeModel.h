#pragma once

#include <QAbstractItemModel>
#include <QPointer>

namespace sm {

class Fleet;

// The left panel in fleet mode: "All robots" (the overview) first, then each robot with its
// link state and summary, expanding into its containers and Docker.
class FleetTreeModel final : public QAbstractItemModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetTreeModel)
public:
    enum Kind { OverviewEntry, RobotEntry, ContainerEntry, DockerEntry };
    enum Role { KindRole = Qt::UserRole + 1, RobotRole, NameRole };

    explicit FleetTreeModel(QObject *parent = nullptr);

    void setFleet(Fleet *fleet);
    QModelIndex overviewIndex() const { return index(0, 0); }
    QModelIndex robotIndex(int robot) const { return index(robot + 1, 0); }
    // A container of a robot, or its Docker entry when `name` is empty.
    QModelIndex childIndex(int robot, const QString &name) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    void syncChildren(int robot);

    QPointer<Fleet> m_fleet;
    // Each robot's children as the view knows them: container names, then "" for Docker.
    QList<QStringList> m_children;
};

} // namespace sm

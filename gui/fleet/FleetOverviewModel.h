#pragma once

#include <QAbstractTableModel>
#include <QPointer>

namespace sm {

class Fleet;

// The fleet overview: one row per robot, live from each robot's own link.
class FleetOverviewModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetOverviewModel)
public:
    enum Column { Robot, Link, Up, Down, Stopped, CrashLoop, Failed, LastEvent, ColumnCount };
    enum Role { RobotRole = Qt::UserRole + 1, SortRole };

    explicit FleetOverviewModel(QObject *parent = nullptr);
    void setFleet(Fleet *fleet);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QPointer<Fleet> m_fleet;
};

} // namespace sm

#pragma once

#include "PolledTableModel.h"

#include <QElapsedTimer>
#include <QTimer>

namespace sm {

// The services of one container as a table, over Backend::statuses(). Rows are updated in
// place as polls and live serviceChanged events arrive; a full reset happens only when the
// container or the backend changes.
class ServiceTableModel final : public PolledTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceTableModel)
public:
    enum Column { Label, Id, State, Pid, Uptime, Deaths, Ready, NormallyUp, ColumnCount };
    enum Role {
        BadgeRole = Qt::UserRole + 1, // sm::BadgeState as int
        ServiceIdRole,
        SortRole,
    };

    // Active by default; refreshes while inactive are ignored.
    explicit ServiceTableModel(Backend *backend, QObject *parent = nullptr);

    void setContainer(const QString &container);
    QString container() const { return m_container; }

    const ServiceStatus &statusAt(int row) const { return m_rows.at(row); }
    int rowOf(const QString &service) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void startFetch(quint64 generation) override;
    bool canFetch() const override { return !m_container.isEmpty(); }
    void clearRowData() override { m_rows.clear(); }
    void connectBackend(Backend *backend) override;
    void apply(const QList<ServiceStatus> &statuses);
    void updateRow(int row, const ServiceStatus &status);
    void onServiceChanged(const sm::ServiceStatus &status);
    void clearRows();
    // While live events carry the states (no polls), the uptime of running services is
    // counted here, so that the column keeps ticking between events; and since deaths ageing
    // out of the hour are never pushed, the rows are fetched again once a minute while any
    // has some.
    void tick();

    QString m_container;
    QList<ServiceStatus> m_rows;
    QTimer m_clock;
    QElapsedTimer m_sinceTick;
    qint64 m_pendingMs = 0;   // less than a second not counted yet
    qint64 m_liveSeconds = 0; // since the deaths were last fetched while live
};

} // namespace sm

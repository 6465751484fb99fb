#pragma once

#include "backend/Backend.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>

namespace sm {

// The services of one container as a table, over Backend::statuses(). Rows are updated in
// place as polls and live serviceChanged events arrive; a full reset happens only when the
// container or the backend changes.
class ServiceTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceTableModel)
public:
    enum Column { Label, Id, State, Pid, Uptime, Ready, NormallyUp, ColumnCount };
    enum Role {
        BadgeRole = Qt::UserRole + 1, // sm::BadgeState as int
        ServiceIdRole,
        SortRole,
    };

    explicit ServiceTableModel(Backend *backend, QObject *parent = nullptr);

    void setBackend(Backend *backend);
    void setContainer(const QString &container);
    QString container() const { return m_container; }
    // Fetches only while active (its view is shown); default true.
    void setActive(bool active);
    // Poll period (default 2 s); 0 polls only on request and on events.
    void setPollInterval(int ms);
    // Asks for a fetch; requests close together collapse into one.
    void refresh();

    const ServiceStatus &statusAt(int row) const { return m_rows.at(row); }
    int rowOf(const QString &service) const;
    QString lastError() const { return m_lastError; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void errorOccurred(const QString &message);
    // After every completed fetch, applied or failed (for views and tests).
    void refreshed();

private:
    void fetch();
    void apply(const QList<ServiceStatus> &statuses);
    void updateRow(int row, const ServiceStatus &status);
    void onServiceChanged(const sm::ServiceStatus &status);
    void clearRows();

    QPointer<Backend> m_backend;
    QString m_container;
    QList<ServiceStatus> m_rows;
    QTimer m_poll;
    QTimer m_coalesce;
    bool m_active = true;
    bool m_fetching = false;
    bool m_again = false;
    quint64 m_generation = 0;
    QString m_lastError;
};

} // namespace sm

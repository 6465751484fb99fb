#pragma once

#include "backend/Backend.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QTimer>

namespace sm {

// The host's Docker containers as a table: the list (all=true) plus each container's
// details, fetched as one cycle at a time and applied in place.
class DockerTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockerTableModel)
public:
    enum Column { Name, Image, State, Status, Created, Actions, ColumnCount };
    enum Role { BadgeRole = Qt::UserRole + 1, NameRole, SortRole };

    struct Row {
        DockerContainer container;
        std::optional<DockerStatus> details;
    };

    explicit DockerTableModel(Backend *backend, QObject *parent = nullptr);

    void setBackend(Backend *backend);
    // Polls only while active (the Docker view is shown); default 2 s.
    void setActive(bool active);
    void setPollInterval(int ms);
    void refresh();

    const Row &rowAt(int row) const { return m_rows.at(row); }
    int rowOf(const QString &name) const;
    QString lastError() const { return m_lastError; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void refreshed();

private:
    void fetch();
    void fetchDetails(const QList<DockerContainer> &containers, quint64 generation);
    void finishCycle();
    void apply(const QList<Row> &rows);
    QString statusText(const Row &row) const;

    QPointer<Backend> m_backend;
    QList<Row> m_rows;
    QTimer m_poll;
    QTimer m_coalesce;
    bool m_active = false;
    bool m_fetching = false;
    bool m_again = false;
    quint64 m_generation = 0;
    QString m_lastError;
};

} // namespace sm

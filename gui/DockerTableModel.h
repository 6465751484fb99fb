#pragma once

#include "PolledTableModel.h"

namespace sm {

// The host's Docker containers as a table: the list (all=true) plus each container's
// details, fetched as one cycle at a time and applied in place.
class DockerTableModel final : public PolledTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockerTableModel)
public:
    enum Column { Name, Image, State, Status, Created, Actions, ColumnCount };
    enum Role { BadgeRole = Qt::UserRole + 1, NameRole, SortRole };

    struct Row {
        DockerContainer container;
        std::optional<DockerStatus> details;
    };

    // Inactive until its view is shown: an absent Docker Engine is asked only while looked at.
    explicit DockerTableModel(Backend *backend, QObject *parent = nullptr);

    const Row &rowAt(int row) const { return m_rows.at(row); }
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void startFetch(quint64 generation) override;
    void clearRowData() override { m_rows.clear(); }
    void connectBackend(Backend *backend) override;
    void fetchDetails(const QList<DockerContainer> &containers, quint64 generation);
    void apply(const QList<Row> &rows);
    QString statusText(const Row &row) const;

    QList<Row> m_rows;
};

} // namespace sm

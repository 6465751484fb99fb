#pragma once

#include "PolledTableModel.h"

#include <QIcon>

namespace sm {

// The left-hand list: every configured robot container with its agent's reachability, then
// one "Docker" entry for the host's Docker containers.
class ContainerListModel final : public PolledTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ContainerListModel)
public:
    enum Column { Name, ColumnCount };
    enum Kind { AgentEntry, DockerEntry };
    enum Role { KindRole = Qt::UserRole + 1, NameRole, ReachableRole };

    struct Entry {
        Kind kind = AgentEntry;
        QString name;
        std::optional<bool> reachable; // unknown until health answers
        bool operator==(const Entry &) const = default;
    };

    // Always active: the list is on screen whenever the window is.
    explicit ContainerListModel(Backend *backend, QObject *parent = nullptr);

    const Entry &entryAt(int row) const { return m_rows.at(row); }
    int rowOf(Kind kind, const QString &name = {}) const;
    bool isLoaded() const { return m_loaded; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    using PolledTableModel::setActive; // the list is always shown

    void startFetch(quint64 generation) override;
    void clearRowData() override;
    void connectBackend(Backend *backend) override;
    void fetchHealth(QList<Entry> entries, quint64 generation);
    void apply(const QList<Entry> &entries);
    void setReachable(int row, std::optional<bool> reachable);

    QList<Entry> m_rows;
    bool m_loaded = false;
};

} // namespace sm

#pragma once

#include "backend/Backend.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QPointer>
#include <QTimer>

namespace sm {

// The left-hand list: every configured robot container with its agent's reachability, then
// one "Docker" entry for the host's Docker containers.
class ContainerListModel final : public QAbstractTableModel {
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

    explicit ContainerListModel(Backend *backend, QObject *parent = nullptr);

    void setBackend(Backend *backend);
    void setPollInterval(int ms);
    void refresh();

    const Entry &entryAt(int row) const { return m_rows.at(row); }
    int rowOf(Kind kind, const QString &name = {}) const;
    bool isLoaded() const { return m_loaded; }

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
    void fetchHealth(QList<Entry> entries, quint64 generation);
    void finishCycle();
    void apply(const QList<Entry> &entries);
    void setReachable(int row, std::optional<bool> reachable);

    QPointer<Backend> m_backend;
    QList<Entry> m_rows;
    QTimer m_poll;
    QTimer m_coalesce;
    bool m_fetching = false;
    bool m_again = false;
    bool m_loaded = false;
    quint64 m_generation = 0;
    mutable QList<QIcon> m_icons; // reachable, unreachable, unknown
};

} // namespace sm

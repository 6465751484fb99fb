#include "ContainerListModel.h"

#include "ServiceState.h"

#include <QColor>
#include <QIcon>

namespace sm {

ContainerListModel::ContainerListModel(Backend *backend, QObject *parent)
    : PolledTableModel(true, WhileInactive::IgnoreRefresh, parent) {
    setBackend(backend);
}

void ContainerListModel::clearRowData() {
    m_loaded = false;
    m_rows.clear();
}

void ContainerListModel::connectBackend(Backend *backend) {
    connect(backend, &Backend::agentReachabilityChanged, this,
            [this](const QString &container, bool reachable) {
                setReachable(rowOf(AgentEntry, container), reachable);
            });
    connect(backend, &Backend::connectionChanged, this, [this](bool connected) {
        if (connected)
            refresh();
    });
}

void ContainerListModel::startFetch(quint64 generation) {
    backend()->containers(this, [this, generation](Result<QList<ContainerInfo>> r) {
        if (!isCurrent(generation))
            return;
        if (!r.ok()) {
            setLastError(r.error().message);
            Q_EMIT errorOccurred(lastError());
            finishCycle();
            return;
        }
        setLastError({});
        QList<Entry> entries;
        for (const ContainerInfo &c : r.value()) {
            const int known = rowOf(AgentEntry, c.name);
            entries.append(
                {AgentEntry, c.name, known >= 0 ? m_rows.at(known).reachable : std::nullopt});
        }
        const int docker = rowOf(DockerEntry);
        entries.append(
            {DockerEntry, tr("Docker"), docker >= 0 ? m_rows.at(docker).reachable : std::nullopt});
        apply(entries);
        fetchHealth(entries, generation);
    });
}

void ContainerListModel::fetchHealth(QList<Entry> entries, quint64 generation) {
    // The names show at once; reachability follows when health answers (a hung agent makes
    // it wait for the backend's deadline, which must not hold up the list).
    backend()->health(this, [this, entries, generation](Result<Health> r) mutable {
        if (!isCurrent(generation))
            return;
        if (r.ok()) {
            for (Entry &e : entries) {
                if (e.kind == DockerEntry) {
                    e.reachable = r.value().dockerAvailable;
                    continue;
                }
                for (const auto &[name, reachable] : r.value().agents)
                    if (name == e.name)
                        e.reachable = reachable;
            }
            apply(entries);
        }
        finishCycle();
    });
}

void ContainerListModel::apply(const QList<Entry> &entries) {
    if (!m_loaded) {
        beginResetModel();
        m_rows = entries;
        m_loaded = true;
        endResetModel();
        return;
    }
    removeMissingRows(m_rows, entries, [](const Entry &e, const Entry &n) {
        return n.kind == e.kind && n.name == e.name;
    });
    for (int i = 0; i < entries.size(); ++i) {
        const Entry &e = entries.at(i);
        const int row = rowOf(e.kind, e.kind == DockerEntry ? QString() : e.name);
        if (row < 0) {
            // New containers go before the Docker entry, which stays last.
            const int at = std::min<int>(i, int(m_rows.size()));
            beginInsertRows({}, at, at);
            m_rows.insert(at, e);
            endInsertRows();
        } else if (!(m_rows.at(row) == e)) {
            replaceRow(m_rows, row, e);
        }
    }
}

void ContainerListModel::setReachable(int row, std::optional<bool> reachable) {
    if (row < 0 || m_rows.at(row).reachable == reachable)
        return;
    m_rows[row].reachable = reachable;
    Q_EMIT dataChanged(index(row, 0), index(row, 0));
}

int ContainerListModel::rowOf(Kind kind, const QString &name) const {
    for (int row = 0; row < m_rows.size(); ++row) {
        const Entry &e = m_rows.at(row);
        if (e.kind == kind && (kind == DockerEntry || e.name == name))
            return row;
    }
    return -1;
}

int ContainerListModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ContainerListModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ContainerListModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return e.name;
    case KindRole:
        return int(e.kind);
    case ReachableRole:
        return e.reachable ? QVariant(*e.reachable) : QVariant();
    case Qt::DecorationRole:
        return dotIcon(reachabilityColor(e.reachable));
    case Qt::ToolTipRole:
        if (!e.reachable)
            return tr("checking…");
        if (e.kind == DockerEntry)
            return *e.reachable ? tr("Docker is available") : tr("Docker is unavailable");
        return *e.reachable ? tr("agent reachable") : tr("agent unreachable");
    default:
        return {};
    }
}

QVariant ContainerListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section == Name)
        return tr("Containers");
    return QAbstractTableModel::headerData(section, orientation, role);
}

} // namespace sm

#include "DockerTableModel.h"

#include "ServiceState.h"

#include <QDateTime>

#include <memory>

namespace sm {

DockerTableModel::DockerTableModel(Backend *backend, QObject *parent)
    : PolledTableModel(false, WhileInactive::SkipFetch, parent) {
    setBackend(backend);
}

void DockerTableModel::connectBackend(Backend *backend) {
    connect(backend, &Backend::dockerEvent, this, &DockerTableModel::refresh);
}

void DockerTableModel::startFetch(quint64 generation) {
    backend()->dockerContainers(this, true, [this, generation](Result<QList<DockerContainer>> r) {
        if (!isCurrent(generation))
            return;
        if (!r.ok()) {
            setLastError(r.error().message);
            apply({});
            Q_EMIT errorOccurred(lastError());
            finishCycle();
            return;
        }
        setLastError({});
        fetchDetails(r.value(), generation);
    });
}

void DockerTableModel::fetchDetails(const QList<DockerContainer> &containers, quint64 generation) {
    auto rows = std::make_shared<QList<Row>>();
    for (const DockerContainer &c : containers)
        rows->append({c, std::nullopt});
    if (rows->isEmpty()) {
        apply({});
        finishCycle();
        return;
    }
    auto pending = std::make_shared<int>(int(rows->size()));
    for (int i = 0; i < rows->size(); ++i) {
        // Details are best effort: a container removed meanwhile keeps its list row.
        backend()->dockerStatus(this, rows->at(i).container.name,
                                [this, rows, pending, i, generation](Result<DockerStatus> r) {
                                    if (!isCurrent(generation))
                                        return;
                                    if (r.ok())
                                        (*rows)[i].details = r.value();
                                    if (--*pending == 0) {
                                        apply(*rows);
                                        finishCycle();
                                    }
                                });
    }
}

void DockerTableModel::apply(const QList<Row> &rows) {
    mergeRows(
        m_rows, rows, [](const Row &a, const Row &b) { return a.container.id == b.container.id; },
        [this](const Row &old, const Row &r) {
            const bool sameDetails = old.details.has_value() == r.details.has_value() &&
                                     (!r.details || statusText(old) == statusText(r));
            return old.container == r.container && sameDetails;
        });
}

int DockerTableModel::rowOf(const QString &name) const {
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).container.name == name)
            return row;
    return -1;
}

QString DockerTableModel::statusText(const Row &row) const {
    if (!row.details)
        return row.container.status;
    const DockerStatus &d = *row.details;
    if (d.running || d.paused) {
        const QDateTime started = QDateTime::fromString(d.startedAt, Qt::ISODateWithMs);
        const QString since = started.isValid()
                                  ? formatDuration(started.secsTo(QDateTime::currentDateTimeUtc()))
                                  : QString();
        return d.paused ? tr("Paused, up %1").arg(since) : tr("Up %1").arg(since);
    }
    if (d.restarting)
        return tr("Restarting");
    if (d.exitCode && d.status != QLatin1String("created")) {
        const QDateTime finished = QDateTime::fromString(d.finishedAt, Qt::ISODateWithMs);
        if (!finished.isValid() || finished.toSecsSinceEpoch() <= 0)
            return tr("Exited (%1)").arg(*d.exitCode);
        return tr("Exited (%1) %2 ago")
            .arg(*d.exitCode)
            .arg(formatDuration(
                std::max<qint64>(0, finished.secsTo(QDateTime::currentDateTimeUtc()))));
    }
    return d.status.isEmpty() ? row.container.status : d.status;
}

int DockerTableModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DockerTableModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DockerTableModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    const BadgeState badge = dockerBadge(r.container.status);
    switch (role) {
    case BadgeRole:
        return int(badge);
    case NameRole:
        return r.container.name;
    case Qt::ToolTipRole:
        return r.container.id;
    case SortRole:
        if (index.column() == Created)
            return r.container.created;
        return data(index, Qt::DisplayRole);
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Name:
            return r.container.name;
        case Image:
            return r.container.image;
        case State:
            return r.container.status;
        case Status:
            return statusText(r);
        case Created:
            return formatTimestamp(r.container.created);
        case Actions: // drawn by ActionsDelegate
        case ColumnCount:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant DockerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Name");
    case Image:
        return tr("Image");
    case State:
        return tr("State");
    case Status:
        return tr("Status");
    case Created:
        return tr("Created");
    case Actions:
        return tr("Actions");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace sm

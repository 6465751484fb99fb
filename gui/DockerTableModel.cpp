#include "DockerTableModel.h"

#include "ServiceState.h"

#include <QDateTime>

#include <memory>

namespace sm {

DockerTableModel::DockerTableModel(Backend *backend, QObject *parent)
    : QAbstractTableModel(parent) {
    m_poll.setInterval(2000);
    connect(&m_poll, &QTimer::timeout, this, &DockerTableModel::refresh);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(30);
    connect(&m_coalesce, &QTimer::timeout, this, &DockerTableModel::fetch);
    setBackend(backend);
}

void DockerTableModel::setBackend(Backend *backend) {
    if (m_backend)
        m_backend->disconnect(this);
    m_backend = backend;
    ++m_generation;
    m_fetching = false;
    beginResetModel();
    m_rows.clear();
    endResetModel();
    if (!m_backend)
        return;
    connect(m_backend, &Backend::dockerEvent, this, &DockerTableModel::refresh);
    if (m_active)
        refresh();
}

void DockerTableModel::setActive(bool active) {
    m_active = active;
    if (!active) {
        m_poll.stop();
        return;
    }
    refresh();
}

void DockerTableModel::setPollInterval(int ms) {
    m_poll.stop();
    m_poll.setInterval(ms);
    if (ms > 0 && m_active)
        m_poll.start();
}

void DockerTableModel::refresh() {
    if (m_active && !m_poll.isActive() && m_poll.interval() > 0)
        m_poll.start();
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void DockerTableModel::fetch() {
    // Asking an absent Docker Engine while nobody looks only produces errors.
    if (!m_backend || !m_active)
        return;
    if (m_fetching) {
        m_again = true;
        return;
    }
    m_fetching = true;
    const quint64 generation = m_generation;
    m_backend->dockerContainers(this, true, [this, generation](Result<QList<DockerContainer>> r) {
        if (generation != m_generation)
            return;
        if (!r.ok()) {
            m_lastError = r.error().message;
            apply({});
            Q_EMIT errorOccurred(m_lastError);
            finishCycle();
            return;
        }
        m_lastError.clear();
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
        m_backend->dockerStatus(this, rows->at(i).container.name,
                                [this, rows, pending, i, generation](Result<DockerStatus> r) {
                                    if (generation != m_generation)
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

void DockerTableModel::finishCycle() {
    m_fetching = false;
    Q_EMIT refreshed();
    if (m_again) {
        m_again = false;
        refresh();
    }
}

void DockerTableModel::apply(const QList<Row> &rows) {
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const QString &id = m_rows.at(row).container.id;
        const bool present = std::any_of(rows.begin(), rows.end(),
                                         [&](const Row &r) { return r.container.id == id; });
        if (!present) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    for (const Row &r : rows) {
        int at = -1;
        for (int i = 0; i < m_rows.size(); ++i)
            if (m_rows.at(i).container.id == r.container.id)
                at = i;
        if (at < 0) {
            at = int(m_rows.size());
            beginInsertRows({}, at, at);
            m_rows.append(r);
            endInsertRows();
            continue;
        }
        const Row &old = m_rows.at(at);
        const bool sameDetails = old.details.has_value() == r.details.has_value() &&
                                 (!r.details || statusText(old) == statusText(r));
        if (old.container == r.container && sameDetails)
            continue;
        m_rows[at] = r;
        Q_EMIT dataChanged(index(at, 0), index(at, ColumnCount - 1));
    }
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

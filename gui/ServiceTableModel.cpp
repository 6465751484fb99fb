#include "ServiceTableModel.h"

#include "ServiceState.h"

namespace sm {

namespace {
QString yesNo(const std::optional<bool> &v) {
    return v ? (*v ? QStringLiteral("yes") : QStringLiteral("no")) : QString();
}
} // namespace

ServiceTableModel::ServiceTableModel(Backend *backend, QObject *parent)
    : QAbstractTableModel(parent) {
    m_poll.setInterval(2000);
    connect(&m_poll, &QTimer::timeout, this, &ServiceTableModel::refresh);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(30);
    connect(&m_coalesce, &QTimer::timeout, this, &ServiceTableModel::fetch);
    setBackend(backend);
}

void ServiceTableModel::setBackend(Backend *backend) {
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
    connect(m_backend, &Backend::serviceChanged, this, &ServiceTableModel::onServiceChanged);
    connect(m_backend, &Backend::agentReachabilityChanged, this,
            [this](const QString &container, bool) {
                if (container == m_container)
                    refresh();
            });
    connect(m_backend, &Backend::connectionChanged, this, [this](bool connected) {
        if (connected)
            refresh();
    });
    refresh();
}

void ServiceTableModel::setContainer(const QString &container) {
    if (container == m_container)
        return;
    m_container = container;
    ++m_generation; // answers for the previous container are dropped
    m_fetching = false;
    m_lastError.clear();
    beginResetModel();
    m_rows.clear();
    endResetModel();
    refresh();
}

void ServiceTableModel::setActive(bool active) {
    if (m_active == active)
        return;
    m_active = active;
    if (active)
        refresh();
    else
        m_poll.stop();
}

void ServiceTableModel::setPollInterval(int ms) {
    m_poll.stop();
    m_poll.setInterval(ms);
    if (ms > 0 && m_active)
        m_poll.start();
}

void ServiceTableModel::refresh() {
    if (!m_active)
        return;
    if (!m_poll.isActive() && m_poll.interval() > 0)
        m_poll.start();
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void ServiceTableModel::fetch() {
    if (!m_backend || m_container.isEmpty())
        return;
    if (m_fetching) {
        m_again = true;
        return;
    }
    m_fetching = true;
    const quint64 generation = m_generation;
    m_backend->statuses(this, m_container, [this, generation](Result<QList<ServiceStatus>> r) {
        if (generation != m_generation)
            return;
        m_fetching = false;
        if (r.ok()) {
            m_lastError.clear();
            apply(r.value());
        } else {
            m_lastError = r.error().message;
            clearRows();
            Q_EMIT errorOccurred(m_lastError);
        }
        Q_EMIT refreshed();
        if (m_again) {
            m_again = false;
            refresh();
        }
    });
}

void ServiceTableModel::clearRows() {
    if (m_rows.isEmpty())
        return;
    beginRemoveRows({}, 0, int(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

void ServiceTableModel::apply(const QList<ServiceStatus> &statuses) {
    // Drop rows that disappeared (back to front keeps the indexes valid).
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const QString &id = m_rows.at(row).service;
        const bool present = std::any_of(statuses.begin(), statuses.end(),
                                         [&](const ServiceStatus &s) { return s.service == id; });
        if (!present) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    for (const ServiceStatus &status : statuses) {
        const int row = rowOf(status.service);
        if (row >= 0) {
            updateRow(row, status);
        } else {
            const int at = int(m_rows.size());
            beginInsertRows({}, at, at);
            m_rows.append(status);
            endInsertRows();
        }
    }
}

void ServiceTableModel::updateRow(int row, const ServiceStatus &status) {
    if (m_rows.at(row) == status)
        return;
    m_rows[row] = status;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ServiceTableModel::onServiceChanged(const ServiceStatus &status) {
    if (status.container != m_container)
        return;
    const int row = rowOf(status.service);
    if (row < 0) {
        refresh();
        return;
    }
    ServiceStatus merged = status;
    // An event may carry only the agent's fields; keep the label we already know.
    if (merged.serviceLabel.isEmpty())
        merged.serviceLabel = m_rows.at(row).serviceLabel;
    updateRow(row, merged);
}

int ServiceTableModel::rowOf(const QString &service) const {
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).service == service)
            return row;
    return -1;
}

int ServiceTableModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ServiceTableModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ServiceTableModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ServiceStatus &s = m_rows.at(index.row());
    const BadgeState badge = serviceBadge(s);
    switch (role) {
    case BadgeRole:
        return int(badge);
    case ServiceIdRole:
        return s.service;
    case Qt::ToolTipRole:
        return s.raw;
    case Qt::TextAlignmentRole:
        if (index.column() == Pid || index.column() == Uptime)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == Ready || index.column() == NormallyUp)
            return int(Qt::AlignCenter);
        return {};
    case SortRole:
        switch (index.column()) {
        case Pid:
            return s.pid.value_or(-1);
        case Uptime:
            return s.uptimeSeconds.value_or(-1);
        case State:
            return int(badge);
        default:
            break;
        }
        return data(index, Qt::DisplayRole);
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Label:
            return s.serviceLabel.isEmpty() ? s.service : s.serviceLabel;
        case Id:
            return s.service;
        case State:
            return badgeText(badge);
        case Pid:
            return s.pid ? QString::number(*s.pid) : QString();
        case Uptime:
            return s.uptimeSeconds ? formatDuration(*s.uptimeSeconds) : QString();
        case Ready:
            return yesNo(s.ready);
        case NormallyUp:
            return yesNo(s.normallyUp);
        case ColumnCount:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant ServiceTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Label:
        return tr("Service");
    case Id:
        return tr("Id");
    case State:
        return tr("State");
    case Pid:
        return tr("PID");
    case Uptime:
        return tr("Uptime");
    case Ready:
        return tr("Ready");
    case NormallyUp:
        return tr("Normally up");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace sm

#include "ServiceTableModel.h"

#include "ServiceState.h"

#include <algorithm>

namespace sm {

namespace {
QString yesNo(const std::optional<bool> &v) {
    return v ? (*v ? QStringLiteral("yes") : QStringLiteral("no")) : QString();
}

// "Last death 2026-01-07 10:00:02: exit code 3; 1 in the last minute", for the deaths column's
// tooltip.
QString lastDeathText(const ServiceStatus &s) {
    if (!s.lastDeath)
        return s.deathsLastHour ? ServiceTableModel::tr("No death recorded")
                                : ServiceTableModel::tr("This agent does not count deaths");
    const ServiceDeath &d = *s.lastDeath;
    const QString how = d.signal
                            ? ServiceTableModel::tr("killed by %1").arg(*d.signal)
                            : ServiceTableModel::tr("exit code %1").arg(d.exitCode.value_or(0));
    return ServiceTableModel::tr("Last death %1: %2; %3 in the last minute")
        .arg(formatTimestamp(d.time), how)
        .arg(s.deathsLastMinute.value_or(0));
}

constexpr qint64 kDeathsRefreshSeconds = 60;
} // namespace

ServiceTableModel::ServiceTableModel(Backend *backend, QObject *parent)
    : PolledTableModel(true, WhileInactive::IgnoreRefresh, parent) {
    // Statuses come as serviceChanged events; a fetch follows only a structural change.
    followLiveUpdates();
    setBackend(backend);
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, &ServiceTableModel::tick);
    m_clock.start();
    m_sinceTick.start();
}

void ServiceTableModel::tick() {
    m_pendingMs += m_sinceTick.restart();
    const qint64 seconds = m_pendingMs / 1000;
    m_pendingMs %= 1000;
    if (seconds <= 0 || !backend() || !backend()->isLive() || m_rows.isEmpty())
        return;
    for (ServiceStatus &s : m_rows) {
        if (s.isUp && s.uptimeSeconds)
            *s.uptimeSeconds += seconds;
    }
    Q_EMIT dataChanged(index(0, Uptime), index(int(m_rows.size()) - 1, Uptime));
    m_liveSeconds += seconds;
    if (m_liveSeconds >= kDeathsRefreshSeconds) {
        m_liveSeconds = 0;
        if (std::any_of(m_rows.cbegin(), m_rows.cend(),
                        [](const ServiceStatus &s) { return s.deathsLastHour.value_or(0) > 0; }))
            refresh();
    }
}

void ServiceTableModel::connectBackend(Backend *backend) {
    connect(backend, &Backend::serviceChanged, this, &ServiceTableModel::onServiceChanged);
    // The next fetch drops the row in place (the agent's list is the source of truth).
    connect(backend, &Backend::serviceRemoved, this, [this](const QString &container) {
        if (container == m_container)
            refresh();
    });
    connect(backend, &Backend::agentReachabilityChanged, this,
            [this](const QString &container, bool) {
                if (container == m_container)
                    refresh();
            });
    connect(backend, &Backend::connectionChanged, this, [this](bool connected) {
        if (connected)
            refresh();
    });
}

void ServiceTableModel::setContainer(const QString &container) {
    if (container == m_container)
        return;
    m_container = container;
    invalidate(); // answers for the previous container are dropped
    setLastError({});
    beginResetModel();
    m_rows.clear();
    endResetModel();
    refresh();
}

void ServiceTableModel::startFetch(quint64 generation) {
    backend()->statuses(this, m_container, [this, generation](Result<QList<ServiceStatus>> r) {
        if (!isCurrent(generation))
            return;
        if (r.ok()) {
            setLastError({});
            apply(r.value());
        } else {
            setLastError(r.error().message);
            clearRows();
            Q_EMIT errorOccurred(lastError());
        }
        finishCycle();
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
    mergeRows(
        m_rows, statuses,
        [](const ServiceStatus &a, const ServiceStatus &b) { return a.service == b.service; },
        [](const ServiceStatus &a, const ServiceStatus &b) { return a == b; });
}

void ServiceTableModel::updateRow(int row, const ServiceStatus &status) {
    if (!(m_rows.at(row) == status))
        replaceRow(m_rows, row, status);
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
        return index.column() == Deaths ? lastDeathText(s) : s.raw;
    case Qt::TextAlignmentRole:
        if (index.column() == Pid || index.column() == Uptime || index.column() == Deaths)
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
        case Deaths:
            return s.deathsLastHour.value_or(-1);
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
        case Deaths:
            // An agent that does not count deaths: unknown, not none.
            return s.deathsLastHour ? QString::number(*s.deathsLastHour) : QString(QChar(0x2014));
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
    case Deaths:
        return tr("Deaths (1 h)");
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

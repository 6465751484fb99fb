#include "HistoryModel.h"

#include "model/HistoryJson.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace sm {

namespace {

bool badKind(const QString &kind) {
    return kind == u"died" || kind == u"crash_loop_entered" || kind == u"failed" ||
           kind == u"unreachable" || kind == u"die" || kind == u"oom";
}

HistoryModel::Row eventRow(const HistoryEvent &e) {
    HistoryModel::Row row;
    row.timeMs = e.timeMs;
    row.what = HistoryModel::words(e.kind);
    row.detail = HistoryModel::eventDetail(e);
    row.toolTip = QStringLiteral("%1 (%2 event)\n%3").arg(isoTime(e.timeMs), e.source, e.detail);
    row.bad = badKind(e.kind);
    return row;
}

HistoryModel::Row auditRow(const AuditEntry &a) {
    HistoryModel::Row row;
    row.timeMs = a.timeMs;
    row.audit = true;
    row.what = HistoryModel::words(a.action);
    row.detail = HistoryModel::auditDetail(a);
    row.toolTip = QStringLiteral("%1\n%2 %3").arg(isoTime(a.timeMs), a.method, a.route);
    row.bad = a.status >= 400;
    return row;
}

} // namespace

QString HistoryModel::words(const QString &identifier) {
    return QString(identifier).replace(u'_', u' ');
}

QString HistoryModel::eventDetail(const HistoryEvent &event) {
    if (event.signal)
        return tr("killed by %1").arg(*event.signal);
    if (event.exitCode)
        return tr("exit %1").arg(*event.exitCode);
    // A Docker event's sentence only repeats the container's name and the action.
    if (event.source == u"docker")
        return {};
    return event.detail;
}

QString HistoryModel::auditDetail(const AuditEntry &entry) {
    QString text = tr("by %1 (%2) from %3: %4")
                       .arg(entry.token.value_or(tr("no token")), entry.role, entry.client)
                       .arg(entry.status);
    if (entry.error && !entry.error->isEmpty())
        text += u' ' + *entry.error;
    return text;
}

QString HistoryModel::timeText(qint64 timeMs) {
    return QDateTime::fromMSecsSinceEpoch(timeMs).toLocalTime().toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

void HistoryModel::setEntries(const QList<HistoryEvent> &events, const QList<AuditEntry> &audit) {
    QList<Row> rows;
    rows.reserve(events.size() + audit.size());
    for (const HistoryEvent &e : events)
        rows.append(eventRow(e));
    for (const AuditEntry &a : audit)
        rows.append(auditRow(a));
    // Stable: within each list the daemon's own order (by id) settles equal times.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row &a, const Row &b) { return a.timeMs > b.timeMs; });
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void HistoryModel::clear() {
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int HistoryModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == Time   ? timeText(row.timeMs)
               : index.column() == What ? row.what
                                        : row.detail;
    case Qt::ToolTipRole:
        return row.toolTip;
    case Qt::ForegroundRole:
        if (row.bad)
            return QBrush(QColor(0xc6, 0x28, 0x28));
        if (row.audit)
            return QBrush(QColor(0x15, 0x65, 0xc0)); // people's requests, apart from s6's doings
        return {};
    case TimeMsRole:
        return row.timeMs;
    case IsAuditRole:
        return row.audit;
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case What:
        return tr("What");
    case Detail:
        return tr("Detail");
    default:
        return {};
    }
}

} // namespace sm

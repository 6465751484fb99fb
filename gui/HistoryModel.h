#pragma once

#include "model/History.h"

#include <QAbstractTableModel>
#include <QList>

namespace sm {

// What happened to one service or Docker container, newest first: the history store's events
// (state changes, deaths) and the audit entries of the requests that acted on it, merged
// into one timeline so that "who restarted it" sits next to "it came back up".
class HistoryModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryModel)
public:
    enum Column { Time, What, Detail, ColumnCount };
    enum Role { TimeMsRole = Qt::UserRole + 1, IsAuditRole };

    struct Row {
        qint64 timeMs = 0;
        bool audit = false; // an audit entry, else a history event
        QString what;
        QString detail;
        QString toolTip;
        bool bad = false; // a death, a crash loop, a refusal: drawn in red
    };

    using QAbstractTableModel::QAbstractTableModel;

    // Both lists newest first, as the daemon answers them.
    void setEntries(const QList<HistoryEvent> &events, const QList<AuditEntry> &audit);
    void clear();
    const Row &rowAt(int row) const { return m_rows.at(row); }

    // "crash_loop_entered" → "crash loop entered"; the same for audit actions.
    static QString words(const QString &identifier);
    // "killed by SIGKILL", "exit 1", else the store's own sentence.
    static QString eventDetail(const HistoryEvent &event);
    // "by ops (operator) from 192.0.2.10: 403 Viewer tokens cannot ..."
    static QString auditDetail(const AuditEntry &entry);
    // Local time with the date: a technician compares it with the robot's clock and logs.
    static QString timeText(qint64 timeMs);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Row> m_rows;
};

} // namespace sm

#pragma once

#include "model/History.h"

#include <QList>
#include <QObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

#include <deque>

namespace sm {

// Retention and the file's place; see HistoryStore.
struct HistorySettings {
    QString dir;               // state.dir; empty: no history is kept
    int retentionDays = 30;    // history.retention_days: older rows are deleted
    int maxEvents = 100000;    // history.max_events: beyond it the oldest events go
    int maxAudit = 100000;     // history.max_audit: the same for audit entries
    int flushIntervalMs = 200; // history.flush_interval_ms: how long records wait for a batch
    int maxUnsaved = 20000;    // kept in memory while the disk refuses them, then dropped
};

// The SQLite side of the history store. Lives on the store's own thread: every call here may
// wait on the disk. The file is opened in WAL mode, so a crash loses at most the batch being
// written and never corrupts what was committed. What the disk refuses (full, read-only) is
// kept in memory, up to a bound, and written when the disk takes it again.
class HistoryDb final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryDb)
public:
    explicit HistoryDb(HistorySettings settings);
    ~HistoryDb() override;

    // Opens (or creates) the file; on failure the error is in health() and writes retry it.
    void open();
    void write(QList<HistoryEvent> events, QList<AuditEntry> audit);
    QList<HistoryEvent> events(const HistoryQuery &query);
    QList<AuditEntry> audit(const AuditQuery &query);
    // Deletes what is older than the retention or beyond the row bounds.
    void trim(qint64 nowMs);
    HistoryHealth health() const { return m_health; }

private:
    bool ensureOpen();
    bool createSchema();
    // Rejected: the rows themselves were refused (they would be every time), not the disk.
    enum class Outcome { Written, Retry, Rejected };
    Outcome insert(const std::deque<HistoryEvent> &events, const std::deque<AuditEntry> &audit);
    static bool worthRetrying(const QSqlError &error);
    // A WHERE clause and its values.
    struct Filter;
    static Filter filterFor(const QString &container, const QString &service,
                            const std::optional<qint64> &sinceMs,
                            const std::optional<qint64> &untilMs);
    // The unsaved rows that match, then the stored ones, newest first, at most query.limit.
    template <typename T, typename Query>
    QList<T> select(const std::deque<T> &unsaved, const Query &query, const char *table,
                    const char *columns, const Filter &filter, T (*fromRow)(const QSqlQuery &));
    void fail(const QString &what, const QString &error);
    void succeed();

    HistorySettings m_settings;
    QString m_connection;
    bool m_open = false;
    qint64 m_nextOpenAttemptMs = 0;
    std::deque<HistoryEvent> m_unsavedEvents;
    std::deque<AuditEntry> m_unsavedAudit;
    HistoryHealth m_health;
};

} // namespace sm

#pragma once

#include "async/Async.h"
#include "history/HistoryDb.h"
#include "model/History.h"

#include <QObject>
#include <QThread>
#include <QTimer>

namespace sm {

// The history of what happened (state changes, deaths, agents, Docker) and who did what (the
// audit), kept in SQLite under state.dir so it outlives the daemon. Records are batched and
// written on the store's own thread: the event loop never waits on the disk. Queries run there
// too and answer through their callback, after every record made before them (a record is
// visible to the next query even before its batch reached the disk).
//
// A full or read-only disk does not stop anything: the store keeps what it could not write in
// memory (bounded), says so in health() (and once in the log), and writes it when it can.
class HistoryStore final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryStore)
public:
    explicit HistoryStore(HistorySettings settings, QObject *parent = nullptr);
    // Writes what is pending and waits for the store's thread to finish.
    ~HistoryStore() override;

    // Opens the file (on the store's thread) and starts the retention timer.
    void start();

    // Stamped with the current time when their time is 0.
    void record(HistoryEvent event);
    void record(AuditEntry entry);

    void events(QObject *context, const HistoryQuery &query, Callback<QList<HistoryEvent>> done);
    void audit(QObject *context, const AuditQuery &query, Callback<QList<AuditEntry>> done);

    // As of the last batch or query the store's thread finished.
    HistoryHealth health() const { return m_health; }

Q_SIGNALS:
    void healthChanged(const sm::HistoryHealth &health);

private:
    void flush();
    void trim();
    // Runs `work` on the store's thread, then `after` back here with the store's health.
    void onDb(std::function<void(HistoryDb &)> work, std::function<void()> after = {});
    void setHealth(const HistoryHealth &health);

    HistorySettings m_settings;
    QThread m_thread;
    HistoryDb *m_db; // lives on m_thread, deleted there last
    QTimer m_flushTimer;
    QTimer m_trimTimer;
    QTimer m_retryTimer;
    QList<HistoryEvent> m_pendingEvents;
    QList<AuditEntry> m_pendingAudit;
    HistoryHealth m_health;
};

} // namespace sm

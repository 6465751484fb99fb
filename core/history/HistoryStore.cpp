#include "HistoryStore.h"

#include <QDateTime>
#include <QPointer>

namespace sm {

namespace {

// A batch is written at the latest after flushIntervalMs, or at once when this large.
constexpr qsizetype kBatchRows = 500;
constexpr int kTrimIntervalMs = 10 * 60 * 1000;
constexpr int kRetryIntervalMs = 2000;

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

HistoryStore::HistoryStore(HistorySettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_db(new HistoryDb(m_settings)) {
    m_health = m_db->health();
    m_thread.setObjectName(QStringLiteral("history"));
    m_db->moveToThread(&m_thread);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(m_settings.flushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &HistoryStore::flush);
    m_trimTimer.setInterval(kTrimIntervalMs);
    connect(&m_trimTimer, &QTimer::timeout, this, &HistoryStore::trim);
    // While the disk refuses, what is kept in memory is offered again even if nothing new
    // comes (HistoryDb itself opens a failed file at most every few seconds).
    m_retryTimer.setInterval(kRetryIntervalMs);
    connect(&m_retryTimer, &QTimer::timeout, this,
            [this] { onDb([](HistoryDb &db) { db.write({}, {}); }); });
}

HistoryStore::~HistoryStore() {
    if (!m_thread.isRunning()) {
        delete m_db;
        return;
    }
    flush();
    // Queued behind the batches, so they are written first; the database is closed on the
    // thread that used it.
    QMetaObject::invokeMethod(
        m_db,
        [db = m_db] {
            delete db;
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
    m_thread.wait();
}

void HistoryStore::start() {
    if (m_thread.isRunning())
        return;
    m_thread.start();
    onDb([](HistoryDb &db) {
        db.open();
        db.trim(nowMs());
    });
    m_trimTimer.start();
}

void HistoryStore::record(HistoryEvent event) {
    if (event.timeMs == 0)
        event.timeMs = nowMs();
    m_pendingEvents.append(std::move(event));
    if (m_pendingEvents.size() + m_pendingAudit.size() >= kBatchRows)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void HistoryStore::record(AuditEntry entry) {
    if (entry.timeMs == 0)
        entry.timeMs = nowMs();
    m_pendingAudit.append(std::move(entry));
    if (m_pendingEvents.size() + m_pendingAudit.size() >= kBatchRows)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void HistoryStore::flush() {
    m_flushTimer.stop();
    if (m_pendingEvents.isEmpty() && m_pendingAudit.isEmpty())
        return;
    if (!m_thread.isRunning())
        return; // not started: kept until start()
    onDb([events = std::exchange(m_pendingEvents, {}), audit = std::exchange(m_pendingAudit, {})](
             HistoryDb &db) mutable { db.write(std::move(events), std::move(audit)); });
}

void HistoryStore::trim() {
    onDb([](HistoryDb &db) { db.trim(nowMs()); });
}

void HistoryStore::events(QObject *context, const HistoryQuery &query,
                          Callback<QList<HistoryEvent>> done) {
    flush(); // what was recorded before the query is part of its answer
    auto result = std::make_shared<QList<HistoryEvent>>();
    QPointer<QObject> guard(context);
    onDb([result, query](HistoryDb &db) { *result = db.events(query); },
         [guard, result, done = std::move(done)] {
             if (guard)
                 done(std::move(*result));
         });
}

void HistoryStore::audit(QObject *context, const AuditQuery &query,
                         Callback<QList<AuditEntry>> done) {
    flush();
    auto result = std::make_shared<QList<AuditEntry>>();
    QPointer<QObject> guard(context);
    onDb([result, query](HistoryDb &db) { *result = db.audit(query); },
         [guard, result, done = std::move(done)] {
             if (guard)
                 done(std::move(*result));
         });
}

void HistoryStore::onDb(std::function<void(HistoryDb &)> work, std::function<void()> after) {
    if (!m_thread.isRunning()) {
        // Not started (or stopping): answer with nothing rather than never.
        if (after)
            QMetaObject::invokeMethod(this, std::move(after), Qt::QueuedConnection);
        return;
    }
    QPointer<HistoryStore> self(this);
    HistoryDb *db = m_db;
    // The store outlives its thread's queue (the destructor drains it), so `this` is valid
    // when the answer is posted back; `self` guards only against a store being torn down.
    QMetaObject::invokeMethod(
        db,
        [self, db, work = std::move(work), after = std::move(after), store = this]() mutable {
            work(*db);
            const HistoryHealth health = db->health();
            QMetaObject::invokeMethod(
                store,
                [self, health, after = std::move(after)] {
                    if (!self)
                        return;
                    self->setHealth(health);
                    if (after)
                        after();
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void HistoryStore::setHealth(const HistoryHealth &health) {
    const bool changed = health.writable != m_health.writable || health.error != m_health.error ||
                         health.dropped != m_health.dropped;
    const bool wasWritable = m_health.writable;
    const QString oldError = m_health.error;
    m_health = health;
    if (health.error.isEmpty())
        m_retryTimer.stop();
    else if (!m_retryTimer.isActive())
        m_retryTimer.start();
    if (!changed)
        return;
    // One line per change of condition, not one per failed batch.
    if (!health.error.isEmpty() && health.error != oldError)
        qWarning("history: %s; records are kept in memory until it can be written",
                 qPrintable(health.error));
    else if (health.writable && !wasWritable && !oldError.isEmpty())
        qInfo("history: %s is writable again", qPrintable(health.path));
    Q_EMIT healthChanged(m_health);
}

} // namespace sm

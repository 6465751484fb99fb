#include "HistoryDb.h"

#include <QDateTime>
#include <QDir>
#include <QLibraryInfo>
#include <QPluginLoader>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlDriverPlugin>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

#include <algorithm>

namespace sm {

namespace {

constexpr int kSchemaVersion = 1;
// A store that could not be opened is tried again at most this often.
constexpr qint64 kReopenIntervalMs = 5000;

QVariant nullable(const std::optional<QString> &value) {
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::QString));
}
QVariant nullable(const std::optional<int> &value) {
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::Int));
}
// A null QString binds as SQL NULL; the text columns are NOT NULL.
QVariant text(const QString &value) {
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}
std::optional<QString> optionalText(const QVariant &value) {
    return value.isNull() ? std::nullopt : std::optional<QString>(value.toString());
}

// `rows` holds the unsaved ones newest first, then the stored ones newest first; a stable
// sort by time keeps that order among equal times (the unsaved came last).
template <typename T> void keepNewest(QList<T> &rows, int limit) {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const T &a, const T &b) { return a.timeMs > b.timeMs; });
    if (rows.size() > limit)
        rows.resize(limit);
}

bool matches(const HistoryEvent &e, const HistoryQuery &q) {
    return (q.container.isEmpty() || e.container == q.container) &&
           (q.service.isEmpty() || e.service == q.service) &&
           (!q.sinceMs || e.timeMs >= *q.sinceMs) && (!q.untilMs || e.timeMs <= *q.untilMs);
}

bool matches(const AuditEntry &e, const AuditQuery &q) {
    return (q.container.isEmpty() || e.container == q.container) &&
           (q.service.isEmpty() || e.service == q.service) &&
           (!q.sinceMs || e.timeMs >= *q.sinceMs);
}

// The connection, with Qt's SQLite driver. The daemon loads no plugins by path (that would pull
// in TLS backends it never uses), so the driver is loaded here by its file when Qt cannot
// find it by itself.
QSqlDatabase addSqlite(const QString &connection, QString *error) {
    if (QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
    QPluginLoader loader(QLibraryInfo::path(QLibraryInfo::PluginsPath) +
                         QStringLiteral("/sqldrivers/libqsqlite.so"));
    auto *plugin = qobject_cast<QSqlDriverPlugin *>(loader.instance());
    QSqlDriver *driver = plugin ? plugin->create(QStringLiteral("QSQLITE")) : nullptr;
    if (!driver) {
        *error = QStringLiteral("Qt's SQLite driver is missing (libqt6sql6-sqlite): %1")
                     .arg(loader.errorString());
        return {};
    }
    return QSqlDatabase::addDatabase(driver, connection); // takes the driver
}

} // namespace

HistoryDb::HistoryDb(HistorySettings settings)
    : m_settings(std::move(settings))
    , m_connection(QStringLiteral("history-") +
                   QUuid::createUuid().toString(QUuid::WithoutBraces)) {
    m_health.enabled = !m_settings.dir.isEmpty();
    m_health.path = QDir(m_settings.dir).filePath(QStringLiteral("history.sqlite"));
}

HistoryDb::~HistoryDb() {
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

void HistoryDb::open() {
    ensureOpen();
}

bool HistoryDb::ensureOpen() {
    if (m_open)
        return true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now < m_nextOpenAttemptMs)
        return false;
    m_nextOpenAttemptMs = now + kReopenIntervalMs;
    if (!QDir().mkpath(m_settings.dir)) {
        fail(QStringLiteral("cannot create the state directory %1").arg(m_settings.dir), {});
        return false;
    }
    QString driverError;
    QSqlDatabase db = QSqlDatabase::contains(m_connection)
                          ? QSqlDatabase::database(m_connection, false)
                          : addSqlite(m_connection, &driverError);
    if (!db.isValid()) {
        fail(QStringLiteral("cannot open %1").arg(m_health.path), driverError);
        return false;
    }
    db.setDatabaseName(m_health.path);
    // Another process (a second daemon on the same directory) waits its turn, briefly.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
    if (!db.open()) {
        fail(QStringLiteral("cannot open %1").arg(m_health.path), db.lastError().text());
        return false;
    }
    if (!createSchema()) {
        db.close();
        return false;
    }
    m_open = true;
    succeed();
    return true;
}

bool HistoryDb::createSchema() {
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    const QStringList statements = {
        // WAL: readers never wait for the writer, and a crash mid-batch leaves the file whole.
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS events ("
                       "id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, "
                       "source TEXT NOT NULL, container TEXT NOT NULL, service TEXT NOT NULL, "
                       "kind TEXT NOT NULL, exit_code INTEGER, signal TEXT, detail TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS events_time ON events(time_ms)"),
        QStringLiteral(
            "CREATE INDEX IF NOT EXISTS events_target ON events(container, service, id)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS audit ("
                       "id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, "
                       "token TEXT, role TEXT NOT NULL, client TEXT NOT NULL, "
                       "method TEXT NOT NULL, route TEXT NOT NULL, container TEXT NOT NULL, "
                       "service TEXT NOT NULL, target TEXT NOT NULL, action TEXT NOT NULL, "
                       "status INTEGER NOT NULL, error TEXT)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ms)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS audit_target ON audit(container, service, id)"),
    };
    for (const QString &statement : statements) {
        if (!q.exec(statement)) {
            fail(QStringLiteral("cannot prepare %1").arg(m_health.path), q.lastError().text());
            return false;
        }
    }
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        fail(QStringLiteral("cannot read %1").arg(m_health.path), q.lastError().text());
        return false;
    }
    const int version = q.value(0).toInt();
    if (version > kSchemaVersion) {
        fail(QStringLiteral("%1 was written by a newer version (schema %2)")
                 .arg(m_health.path)
                 .arg(version),
             {});
        return false;
    }
    if (version < kSchemaVersion &&
        !q.exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion))) {
        fail(QStringLiteral("cannot prepare %1").arg(m_health.path), q.lastError().text());
        return false;
    }
    return true;
}

void HistoryDb::write(QList<HistoryEvent> events, QList<AuditEntry> audit) {
    m_unsavedEvents.insert(m_unsavedEvents.end(), events.begin(), events.end());
    m_unsavedAudit.insert(m_unsavedAudit.end(), audit.begin(), audit.end());
    // Past the bound the oldest go: the newest matter most to whoever looks next.
    const auto bound = std::size_t(std::max(1, m_settings.maxUnsaved));
    while (m_unsavedEvents.size() > bound) {
        m_unsavedEvents.pop_front();
        ++m_health.dropped;
    }
    while (m_unsavedAudit.size() > bound) {
        m_unsavedAudit.pop_front();
        ++m_health.dropped;
    }
    if (!ensureOpen())
        return;
    if (m_unsavedEvents.empty() && m_unsavedAudit.empty())
        return;
    const Outcome outcome = insert(m_unsavedEvents, m_unsavedAudit);
    if (outcome == Outcome::Retry)
        return;
    if (outcome == Outcome::Rejected)
        m_health.dropped += qint64(m_unsavedEvents.size() + m_unsavedAudit.size());
    m_unsavedEvents.clear();
    m_unsavedAudit.clear();
    if (outcome == Outcome::Written)
        succeed();
}

HistoryDb::Outcome HistoryDb::insert(const std::deque<HistoryEvent> &events,
                                     const std::deque<AuditEntry> &audit) {
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction()) {
        fail(QStringLiteral("cannot write to %1").arg(m_health.path), db.lastError().text());
        return Outcome::Retry;
    }
    QSqlQuery q(db);
    bool ok = q.prepare(QStringLiteral(
        "INSERT INTO events (time_ms, source, container, service, kind, exit_code, signal, "
        "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    for (auto it = events.begin(); ok && it != events.end(); ++it) {
        const HistoryEvent &e = *it;
        for (const QVariant &v :
             {QVariant(e.timeMs), text(e.source), text(e.container), text(e.service), text(e.kind),
              nullable(e.exitCode), nullable(e.signal), text(e.detail)})
            q.addBindValue(v);
        ok = q.exec();
    }
    ok = ok && q.prepare(QStringLiteral(
                   "INSERT INTO audit (time_ms, token, role, client, method, route, container, "
                   "service, target, action, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?)"));
    for (auto it = audit.begin(); ok && it != audit.end(); ++it) {
        const AuditEntry &e = *it;
        for (const QVariant &v :
             {QVariant(e.timeMs), nullable(e.token), text(e.role), text(e.client), text(e.method),
              text(e.route), text(e.container), text(e.service), text(e.target), text(e.action),
              QVariant(e.status), nullable(e.error)})
            q.addBindValue(v);
        ok = q.exec();
    }
    if (ok && db.commit())
        return Outcome::Written;
    const QSqlError error =
        q.lastError().type() != QSqlError::NoError ? q.lastError() : db.lastError();
    db.rollback();
    fail(QStringLiteral("cannot write to %1").arg(m_health.path), error.text());
    return worthRetrying(error) ? Outcome::Retry : Outcome::Rejected;
}

bool HistoryDb::worthRetrying(const QSqlError &error) {
    // SQLite's primary result codes: the disk or the file refused (busy, locked, read-only,
    // I/O, full, cannot open, protocol). Anything else would fail again the same way.
    static const QList<int> transient = {5, 6, 8, 10, 13, 14, 15};
    return transient.contains(error.nativeErrorCode().toInt() & 0xff);
}

namespace {

// Rows into values, in the column order of the SELECTs below.
HistoryEvent eventFrom(const QSqlQuery &q) {
    HistoryEvent e;
    e.id = q.value(0).toLongLong();
    e.timeMs = q.value(1).toLongLong();
    e.source = q.value(2).toString();
    e.container = q.value(3).toString();
    e.service = q.value(4).toString();
    e.kind = q.value(5).toString();
    if (!q.value(6).isNull())
        e.exitCode = q.value(6).toInt();
    e.signal = optionalText(q.value(7));
    e.detail = q.value(8).toString();
    return e;
}
constexpr const char *kEventColumns =
    "id, time_ms, source, container, service, kind, exit_code, signal, detail";

AuditEntry auditFrom(const QSqlQuery &q) {
    AuditEntry e;
    e.id = q.value(0).toLongLong();
    e.timeMs = q.value(1).toLongLong();
    e.token = optionalText(q.value(2));
    e.role = q.value(3).toString();
    e.client = q.value(4).toString();
    e.method = q.value(5).toString();
    e.route = q.value(6).toString();
    e.container = q.value(7).toString();
    e.service = q.value(8).toString();
    e.target = q.value(9).toString();
    e.action = q.value(10).toString();
    e.status = q.value(11).toInt();
    e.error = optionalText(q.value(12));
    return e;
}
constexpr const char *kAuditColumns = "id, time_ms, token, role, client, method, route, "
                                      "container, service, target, action, status, error";

} // namespace

// The WHERE clause and its values for the filters that are set.
struct HistoryDb::Filter {
    QStringList clauses;
    QVariantList values;
    void add(const QString &clause, const QVariant &value) {
        clauses << clause;
        values << value;
    }
    QString where() const {
        return clauses.isEmpty() ? QString() : " WHERE " + clauses.join(" AND ");
    }
};

HistoryDb::Filter HistoryDb::filterFor(const QString &container, const QString &service,
                                       const std::optional<qint64> &sinceMs,
                                       const std::optional<qint64> &untilMs) {
    Filter f;
    if (!container.isEmpty())
        f.add(QStringLiteral("container = ?"), container);
    if (!service.isEmpty())
        f.add(QStringLiteral("service = ?"), service);
    if (sinceMs)
        f.add(QStringLiteral("time_ms >= ?"), *sinceMs);
    if (untilMs)
        f.add(QStringLiteral("time_ms <= ?"), *untilMs);
    return f;
}

template <typename T, typename Query>
QList<T> HistoryDb::select(const std::deque<T> &unsaved, const Query &query, const char *table,
                           const char *columns, const Filter &filter,
                           T (*fromRow)(const QSqlQuery &)) {
    QList<T> rows;
    for (auto it = unsaved.rbegin(); it != unsaved.rend(); ++it)
        if (matches(*it, query))
            rows.append(*it);
    if (ensureOpen()) {
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.prepare(QStringLiteral("SELECT %1 FROM %2%3 ORDER BY time_ms DESC, id DESC LIMIT %4")
                      .arg(QLatin1String(columns), QLatin1String(table), filter.where())
                      .arg(query.limit));
        for (const QVariant &v : filter.values)
            q.addBindValue(v);
        if (q.exec()) {
            while (q.next())
                rows.append(fromRow(q));
        } else {
            fail(QStringLiteral("cannot read %1").arg(m_health.path), q.lastError().text());
        }
    }
    keepNewest(rows, query.limit);
    return rows;
}

QList<HistoryEvent> HistoryDb::events(const HistoryQuery &query) {
    return select(m_unsavedEvents, query, "events", kEventColumns,
                  filterFor(query.container, query.service, query.sinceMs, query.untilMs),
                  eventFrom);
}

QList<AuditEntry> HistoryDb::audit(const AuditQuery &query) {
    return select(m_unsavedAudit, query, "audit", kAuditColumns,
                  filterFor(query.container, query.service, query.sinceMs, std::nullopt),
                  auditFrom);
}

void HistoryDb::trim(qint64 nowMs) {
    if (!ensureOpen())
        return;
    const qint64 cutoff = nowMs - qint64(m_settings.retentionDays) * 24 * 3600 * 1000;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    const auto run = [&](const QString &sql, const QVariant &value) {
        q.prepare(sql);
        q.addBindValue(value);
        if (!q.exec())
            fail(QStringLiteral("cannot trim %1").arg(m_health.path), q.lastError().text());
    };
    run(QStringLiteral("DELETE FROM events WHERE time_ms < ?"), cutoff);
    run(QStringLiteral("DELETE FROM audit WHERE time_ms < ?"), cutoff);
    // Ids grow by one per row (AUTOINCREMENT never reuses one), so the newest N are the N
    // highest ids.
    run(QStringLiteral("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?"),
        m_settings.maxEvents);
    run(QStringLiteral("DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?"),
        m_settings.maxAudit);
}

void HistoryDb::fail(const QString &what, const QString &error) {
    m_health.writable = false;
    m_health.error = error.isEmpty() ? what : what + ": " + error;
}

void HistoryDb::succeed() {
    m_health.writable = true;
    m_health.error.clear();
}

} // namespace sm

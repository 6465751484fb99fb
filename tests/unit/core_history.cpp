// The history store against a real SQLite file: what goes in comes out newest first and
// filtered, survives the store, is trimmed by age and count, and a directory that cannot be
// written costs nothing but the file.
#include "history/HistoryStore.h"
#include "model/HistoryJson.h"
#include "monitor/HistoryRecorder.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace sm;

namespace {

HistoryEvent makeEvent(const QString &container, const QString &service, const QString &kind,
                       qint64 timeMs = 0) {
    HistoryEvent e;
    e.source = QStringLiteral("service");
    e.container = container;
    e.service = service;
    e.kind = kind;
    e.timeMs = timeMs;
    e.detail = kind;
    return e;
}

AuditEntry entry(const QString &service, const QString &action, std::optional<QString> token) {
    AuditEntry a;
    a.token = std::move(token);
    a.role = a.token ? QStringLiteral("operator") : QStringLiteral("open");
    a.client = QStringLiteral("127.0.0.1");
    a.method = QStringLiteral("POST");
    a.route = QStringLiteral("/containers/{container}/services/{service}");
    a.container = QStringLiteral("robot");
    a.service = service;
    a.target = QStringLiteral("robot/") + service;
    a.action = action;
    a.status = 200;
    return a;
}

// The store's answer to a query, waited for.
template <typename T, typename Query, typename Call>
QList<T> ask(HistoryStore &store, const Query &query, Call call) {
    QObject context;
    std::optional<QList<T>> got;
    (store.*call)(&context, query, [&](Result<QList<T>> result) {
        got = result.ok() ? result.value() : QList<T>{};
    });
    if (!QTest::qWaitFor([&] { return got.has_value(); }, 10000))
        return {};
    return *got;
}

QList<HistoryEvent> events(HistoryStore &store, const HistoryQuery &query = {}) {
    return ask<HistoryEvent>(store, query, &HistoryStore::events);
}

QList<AuditEntry> audit(HistoryStore &store, const AuditQuery &query = {}) {
    return ask<AuditEntry>(store, query, &HistoryStore::audit);
}

QStringList kinds(const QList<HistoryEvent> &list) {
    QStringList out;
    for (const HistoryEvent &e : list)
        out << e.kind;
    return out;
}

HistorySettings settingsIn(const QString &dir) {
    HistorySettings s;
    s.dir = dir;
    s.flushIntervalMs = 20;
    return s;
}

} // namespace

class CoreHistory : public QObject {
    Q_OBJECT
private slots:
    void newestFirstAndFiltered();
    void visibleToTheNextQuery();
    void keptAcrossStores();
    void trimmedByAgeAndCount();
    void writeAheadLogged();
    void unwritableDirectoryKeepsServing();
    void auditEntries();
    void jsonShapes();
    void changesOfAStatus();
};

void CoreHistory::newestFirstAndFiltered() {
    QTemporaryDir dir;
    HistoryStore store(settingsIn(dir.path()));
    store.start();
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 10000;
    store.record(makeEvent("a", "x", "up", t0));
    store.record(makeEvent("a", "y", "up", t0 + 1000));
    store.record(makeEvent("b", "x", "died", t0 + 2000));
    store.record(makeEvent("a", "x", "died", t0 + 3000));
    store.record(makeEvent("a", "x", "up", t0 + 4000));

    QCOMPARE(kinds(events(store)), QStringList({"up", "died", "died", "up", "up"}));
    HistoryQuery q;
    q.container = "a";
    q.service = "x";
    const QList<HistoryEvent> ax = events(store, q);
    QCOMPARE(kinds(ax), QStringList({"up", "died", "up"}));
    QCOMPARE(ax.first().timeMs, t0 + 4000);
    QVERIFY(ax.at(0).id > ax.at(1).id);
    q = {};
    q.sinceMs = t0 + 1000;
    q.untilMs = t0 + 3000;
    QCOMPARE(events(store, q).size(), 3);
    q = {};
    q.limit = 2;
    const QList<HistoryEvent> two = events(store, q);
    QCOMPARE(two.size(), 2);
    QCOMPARE(two.first().timeMs, t0 + 4000);
    QVERIFY(store.health().writable);
    QVERIFY(store.health().error.isEmpty());
}

void CoreHistory::visibleToTheNextQuery() {
    QTemporaryDir dir;
    HistorySettings s = settingsIn(dir.path());
    s.flushIntervalMs = 60000; // the batch would wait a minute; the query must not
    HistoryStore store(s);
    store.start();
    store.record(makeEvent("a", "x", "died"));
    const QList<HistoryEvent> got = events(store);
    QCOMPARE(got.size(), 1);
    QVERIFY(got.first().id > 0); // written, not only remembered
}

void CoreHistory::keptAcrossStores() {
    QTemporaryDir dir;
    qint64 firstId = 0;
    {
        HistoryStore store(settingsIn(dir.path()));
        store.start();
        store.record(makeEvent("a", "x", "died"));
        store.record(entry("x", "restart", QStringLiteral("ui")));
        firstId = events(store).value(0).id;
        QVERIFY(firstId > 0);
        store.record(makeEvent("a", "x", "up")); // still pending when the store goes
    }
    HistoryStore again(settingsIn(dir.path()));
    again.start();
    const QList<HistoryEvent> got = events(again);
    QCOMPARE(kinds(got), QStringList({"up", "died"}));
    again.record(makeEvent("a", "x", "down"));
    QVERIFY(events(again).first().id > got.first().id);
    QCOMPARE(audit(again).size(), 1);
}

void CoreHistory::trimmedByAgeAndCount() {
    QTemporaryDir dir;
    HistorySettings s = settingsIn(dir.path());
    s.maxEvents = 100;
    s.maxAudit = 10;
    s.retentionDays = 30;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    {
        HistoryStore store(s);
        store.start();
        // Older than the retention: gone however few rows there are.
        store.record(makeEvent("a", "old", "died", now - 40LL * 24 * 3600 * 1000));
        for (int i = 0; i < 250; ++i)
            store.record(makeEvent("a", "x", QStringLiteral("e%1").arg(i), now - 250 + i));
        for (int i = 0; i < 25; ++i)
            store.record(entry("x", QStringLiteral("a%1").arg(i), std::nullopt));
        HistoryQuery all;
        all.limit = 1000;
        QCOMPARE(events(store, all).size(), 251); // trimmed at start and every ten minutes
    }
    HistoryStore again(s);
    again.start();
    HistoryQuery all;
    all.limit = 1000;
    const QList<HistoryEvent> kept = events(again, all);
    QCOMPARE(kept.size(), 100);
    QCOMPARE(kept.first().kind, QString("e249"));
    QCOMPARE(kept.last().kind, QString("e150"));
    AuditQuery allAudit;
    allAudit.limit = 1000;
    const QList<AuditEntry> keptAudit = audit(again, allAudit);
    QCOMPARE(keptAudit.size(), 10);
    QCOMPARE(keptAudit.first().action, QString("a24"));
}

void CoreHistory::writeAheadLogged() {
    QTemporaryDir dir;
    {
        HistoryStore store(settingsIn(dir.path()));
        store.start();
        store.record(makeEvent("a", "x", "up"));
        QCOMPARE(events(store).size(), 1);
    }
    const QString file = dir.filePath("history.sqlite");
    QVERIFY(QFile::exists(file));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "inspect");
        db.setDatabaseName(file);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec("PRAGMA journal_mode"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QString("wal"));
        QVERIFY(q.exec("PRAGMA integrity_check"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QString("ok"));
        db.close();
    }
    QSqlDatabase::removeDatabase("inspect");
}

void CoreHistory::unwritableDirectoryKeepsServing() {
    QTemporaryDir dir;
    // A state directory that cannot exist: its parent is a file.
    QFile blocker(dir.filePath("blocker"));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    HistoryStore store(settingsIn(dir.filePath("blocker/state")));
    QSignalSpy health(&store, &HistoryStore::healthChanged);
    store.start();
    QVERIFY(health.wait(10000));
    QVERIFY(!store.health().writable);
    QVERIFY2(store.health().error.contains("blocker/state"), qPrintable(store.health().error));
    // Kept in memory and still answered.
    store.record(makeEvent("a", "x", "died"));
    store.record(makeEvent("a", "x", "up"));
    QCOMPARE(kinds(events(store)), QStringList({"up", "died"}));
    QCOMPARE(store.health().dropped, 0);
}

void CoreHistory::auditEntries() {
    QTemporaryDir dir;
    HistoryStore store(settingsIn(dir.path()));
    store.start();
    store.record(entry("x", "restart", QStringLiteral("ui")));
    AuditEntry refused = entry("y", "stop", std::nullopt);
    refused.status = 403;
    refused.error = QStringLiteral("A viewer token may only read");
    store.record(refused);
    const QList<AuditEntry> all = audit(store);
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.first().service, QString("y"));
    QCOMPARE(all.first().status, 403);
    QCOMPARE(all.first().error, std::optional<QString>("A viewer token may only read"));
    QCOMPARE(all.first().token, std::optional<QString>());
    QCOMPARE(all.last().token, std::optional<QString>("ui"));
    QCOMPARE(all.last().error, std::optional<QString>());
    AuditQuery q;
    q.service = "x";
    QCOMPARE(audit(store, q).size(), 1);
}

void CoreHistory::jsonShapes() {
    HistoryEvent e = makeEvent("a", "x", "died", 1764648600123);
    e.id = 7;
    e.exitCode = 3;
    QCOMPARE(toJson(e),
             QByteArray("{\"id\":7,\"time\":\"2025-12-02T04:10:00.123Z\",\"source\":"
                        "\"service\",\"container\":\"a\",\"service\":\"x\",\"kind\":"
                        "\"died\",\"exit_code\":3,\"signal\":null,\"detail\":\"died\"}"));
    const QJsonObject parsed = QJsonDocument::fromJson(historyToJson({e})).object();
    const Result<QList<HistoryEvent>> back = historyFromJson(parsed);
    QVERIFY(back.ok());
    QCOMPARE(back.value().first().timeMs, e.timeMs);
    QCOMPARE(back.value().first().exitCode, std::optional<int>(3));
    QVERIFY(!historyFromJson(QJsonObject{{"events", 3}}).ok());

    AuditEntry a = entry("x", "restart", QStringLiteral("ui"));
    a.timeMs = 1764648600000;
    const Result<QList<AuditEntry>> audited =
        auditFromJson(QJsonDocument::fromJson(auditToJson({a})).object());
    QVERIFY(audited.ok());
    QCOMPARE(audited.value().first().token, std::optional<QString>("ui"));
    QCOMPARE(audited.value().first().action, QString("restart"));

    QCOMPARE(parseIsoTime("2025-12-02T05:10:00.123+01:00"), std::optional<qint64>(1764648600123));
    QCOMPARE(parseIsoTime("2025-12-02T04:10:00"), std::nullopt); // no zone: ambiguous
    QCOMPARE(parseIsoTime("yesterday"), std::nullopt);
}

void CoreHistory::changesOfAStatus() {
    ServiceStatus up;
    up.container = "robot";
    up.service = "x";
    up.isUp = true;
    up.wantUp = true;
    up.ready = false;
    up.deathsLastMinute = 0;
    const auto kindsOf = [](const ServiceStatus &a, const ServiceStatus &b) {
        return kinds(HistoryRecorder::changes(a, b));
    };
    QCOMPARE(kindsOf(up, up), QStringList());

    // A death the tally reports, restarted before any status showed it down.
    ServiceStatus restarted = up;
    restarted.deathsLastMinute = 1;
    restarted.lastDeath = ServiceDeath{"2026-12-02T04:10:00Z", 3, std::nullopt};
    const QList<HistoryEvent> died = HistoryRecorder::changes(up, restarted);
    QCOMPARE(kinds(died), QStringList({"died"}));
    QCOMPARE(died.first().exitCode, std::optional<int>(3));
    QCOMPARE(died.first().timeMs, parseIsoTime("2026-12-02T04:10:00Z").value());
    QCOMPARE(died.first().detail, QString("exited with code 3"));

    // The same death just after a restart was sent (in the tally's second or later) was asked
    // for; one from a second before the request was not.
    const qint64 deathMs = parseIsoTime("2026-12-02T04:10:00Z").value();
    const QList<HistoryEvent> asked = HistoryRecorder::changes(up, restarted, deathMs + 400);
    QCOMPARE(kinds(asked), QStringList({"restarted"}));
    QCOMPARE(asked.first().detail, QString("restarted on request, exited with code 3"));
    QCOMPARE(asked.first().timeMs, deathMs);
    QCOMPARE(kinds(HistoryRecorder::changes(up, restarted, deathMs + 1000)), QStringList({"died"}));

    // A second death within the same second as the first: alike but for the hour's count.
    ServiceStatus again = restarted;
    again.deathsLastMinute = 2;
    restarted.deathsLastHour = 1;
    again.deathsLastHour = 2;
    QCOMPARE(kinds(HistoryRecorder::changes(restarted, again)), QStringList({"died"}));
    QCOMPARE(kinds(HistoryRecorder::changes(again, again)), QStringList());
    restarted.deathsLastHour.reset();

    // Down while wanted up, with the tally: the death comes with the tally, not twice.
    ServiceStatus down = restarted;
    down.isUp = false;
    QCOMPARE(kindsOf(restarted, down), QStringList());
    QCOMPARE(kindsOf(down, restarted), QStringList({"up"}));

    // Asked to stop: a stop, with how it ended, and no death.
    ServiceStatus stopped = up;
    stopped.isUp = false;
    stopped.wantUp = false;
    stopped.signal = "SIGTERM";
    stopped.deathsLastMinute = 1;
    stopped.lastDeath = ServiceDeath{"2026-12-02T04:11:00Z", std::nullopt, "SIGTERM"};
    const QList<HistoryEvent> stop = HistoryRecorder::changes(up, stopped);
    QCOMPARE(kinds(stop), QStringList({"down"}));
    QCOMPARE(stop.first().signal, std::optional<QString>("SIGTERM"));

    // Asked to stop while down between two deaths: a stop, and the crash loop is over.
    ServiceStatus betweenDeaths = up;
    betweenDeaths.isUp = false;
    betweenDeaths.deathsLastMinute = 4;
    ServiceStatus stoppedWhileDown = betweenDeaths;
    stoppedWhileDown.wantUp = false;
    const QList<HistoryEvent> quiet = HistoryRecorder::changes(betweenDeaths, stoppedWhileDown);
    QCOMPARE(kinds(quiet), QStringList({"down", "crash_loop_left"}));
    QCOMPARE(quiet.first().detail, QString("stopped while it was down"));
    QCOMPARE(kindsOf(stoppedWhileDown, stoppedWhileDown), QStringList());

    // An older agent: no tally, the status is all there is.
    ServiceStatus oldUp = up;
    oldUp.deathsLastMinute.reset();
    ServiceStatus oldDown = oldUp;
    oldDown.isUp = false;
    oldDown.exitCode = 1;
    QCOMPARE(kindsOf(oldUp, oldDown), QStringList({"died", "crash_loop_entered"}));
    QCOMPARE(kindsOf(oldDown, oldUp), QStringList({"up", "crash_loop_left"}));

    // Ready, a crash loop from the tally, and s6-permafailon's verdict.
    ServiceStatus ready = up;
    ready.ready = true;
    QCOMPARE(kindsOf(up, ready), QStringList({"ready"}));
    ServiceStatus looping = down;
    looping.deathsLastMinute = 3;
    looping.lastDeath = ServiceDeath{"2026-12-02T04:12:00Z", 3, std::nullopt};
    QCOMPARE(kindsOf(down, looping), QStringList({"died", "crash_loop_entered"}));
    ServiceStatus failed = looping;
    failed.wantUp = false;
    failed.permanentFailure = true;
    QCOMPARE(kindsOf(looping, failed), QStringList({"crash_loop_left", "failed"}));
}

QTEST_GUILESS_MAIN(CoreHistory)
#include "core_history.moc"

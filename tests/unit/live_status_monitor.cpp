// StatusMonitor against a scripted Backend: what counts as a change, reachability, the poll
// cycle (no overlap per agent, a hung agent delays only itself), and pushed states (one poll
// when a feed opens, then only its events; an agent without /events is polled; one that went
// away is resubscribed).
#include "FakeBackend.h"
#include "monitor/StatusDiff.h"
#include "monitor/StatusMonitor.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace sm;

namespace {

ServiceStatus upService(const QString &container, const QString &name, qint64 pid,
                        qint64 uptime = 5) {
    ServiceStatus s;
    s.container = container;
    s.service = name;
    s.serviceLabel = name;
    s.name = name;
    s.isUp = true;
    s.pid = pid;
    s.uptimeSeconds = uptime;
    s.raw = QStringLiteral("up (pid %1) %2 seconds").arg(pid).arg(uptime);
    s.normallyUp = true;
    s.wantUp = true;
    s.ready = false;
    s.paused = false;
    s.since = QStringLiteral("2026-01-01T00:00:00Z");
    return s;
}

StatusMonitor::Settings fast() {
    StatusMonitor::Settings settings;
    settings.pollIntervalMs = 20;
    settings.pollWatchdogMs = 200;
    return settings;
}

} // namespace

class LiveStatusMonitorTest final : public QObject {
    Q_OBJECT

private slots:
    void sameStateIgnoresUptime_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<bool>("same");
        for (const char *row : {"uptime", "raw", "deaths aging", "last hour"})
            QTest::addRow("%s", row) << QString(row) << true;
        for (const char *row : {"is_up", "pid", "ready", "paused", "want_up", "exit_code", "signal",
                                "normally_up", "since", "crash loop", "crash loop over", "failed"})
            QTest::addRow("%s", row) << QString(row) << false;
    }
    void sameStateIgnoresUptime() {
        QFETCH(QString, field);
        QFETCH(bool, same);
        ServiceStatus a = upService("c", "svc", 10);
        if (field == "crash loop over")
            a.deathsLastMinute = 3;
        ServiceStatus b = a;
        if (field == "deaths aging") {
            a.deathsLastMinute = 5; // still a crash loop with 4
            b.deathsLastMinute = 4;
        } else if (field == "last hour") {
            b.deathsLastHour = 7;
        } else if (field == "crash loop" || field == "crash loop over") {
            b.deathsLastMinute = field == "crash loop" ? 3 : 2;
        } else if (field == "failed") {
            a.isUp = b.isUp = false;
            a.pid = b.pid = std::nullopt;
            b.permanentFailure = true;
        } else if (field == "uptime")
            b.uptimeSeconds = 99;
        else if (field == "raw")
            b.raw = "up (pid 10) 99 seconds";
        else if (field == "is_up")
            b.isUp = false;
        else if (field == "pid")
            b.pid = 11;
        else if (field == "ready")
            b.ready = true;
        else if (field == "paused")
            b.paused = true;
        else if (field == "want_up")
            b.wantUp = false;
        else if (field == "exit_code")
            b.exitCode = 1;
        else if (field == "signal")
            b.signal = "SIGKILL";
        else if (field == "normally_up")
            b.normallyUp = false;
        else if (field == "since")
            b.since = "2026-01-01T00:00:01Z";
        QCOMPARE(sameServiceState(a, b), same);
    }

    void diffFindsAddedChangedRemoved() {
        const QList<ServiceStatus> before{upService("c", "a", 1), upService("c", "b", 2),
                                          upService("c", "gone", 3)};
        const QList<ServiceStatus> after{upService("c", "a", 1, 9), upService("c", "b", 7),
                                         upService("c", "new", 4)};
        const StatusDiff diff = diffStatuses(before, after);
        QCOMPARE(diff.changed.size(), 2);
        QCOMPARE(diff.changed[0].service, QString("b"));
        QCOMPARE(diff.changed[1].service, QString("new"));
        QCOMPARE(diff.removed, QStringList{"gone"});
        QVERIFY(diffStatuses(after, after).isEmpty());
    }

    void emitsOnlyChanges() {
        FakeBackend backend;
        backend.agents["robot"].statuses = {upService("robot", "a", 10),
                                            upService("robot", "b", 20)};
        StatusMonitor monitor(&backend, {"robot"}, nullptr, fast());
        QSignalSpy changed(&monitor, &StatusMonitor::serviceChanged);
        QSignalSpy agents(&monitor, &StatusMonitor::agentReachabilityChanged);
        monitor.start();
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 2000);
        QCOMPARE(agents.size(), 1);
        QCOMPARE(agents[0][0].toString(), QString("robot"));
        QCOMPARE(agents[0][1].toBool(), true);
        QCOMPARE(monitor.services().size(), 2);
        QCOMPARE(monitor.agents(), (QList<QPair<QString, bool>>{{"robot", true}}));

        // Only uptime ticks: several polls, no event.
        backend.agents["robot"].statuses = {upService("robot", "a", 10, 6),
                                            upService("robot", "b", 20, 6)};
        const int polls = backend.polls["robot"];
        QTRY_VERIFY_WITH_TIMEOUT(backend.polls["robot"] >= polls + 3, 2000);
        QCOMPARE(changed.size(), 2);

        // A crash: b goes down with an exit code.
        ServiceStatus crashed = upService("robot", "b", 0);
        crashed.isUp = false;
        crashed.pid.reset();
        crashed.exitCode = 3;
        crashed.since = "2026-01-01T00:00:09Z";
        backend.agents["robot"].statuses = {upService("robot", "a", 10, 7), crashed};
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 3, 2000);
        const auto status = changed.last()[0].value<ServiceStatus>();
        QCOMPARE(status.service, QString("b"));
        QCOMPARE(status.exitCode, std::optional<int>(3));
        QVERIFY(status.crashLooping());

        // A service disappears.
        QSignalSpy removed(&monitor, &StatusMonitor::serviceRemoved);
        backend.agents["robot"].statuses = {upService("robot", "a", 10, 8)};
        QTRY_COMPARE_WITH_TIMEOUT(removed.size(), 1, 2000);
        QCOMPARE(removed[0][1].toString(), QString("b"));
        QCOMPARE(changed.size(), 3);
    }

    void reachabilityChangesOnce() {
        FakeBackend backend;
        backend.agents["robot"].error = ApiError::unavailable("Agent unreachable");
        StatusMonitor monitor(&backend, {"robot"}, nullptr, fast());
        QSignalSpy agents(&monitor, &StatusMonitor::agentReachabilityChanged);
        QSignalSpy changed(&monitor, &StatusMonitor::serviceChanged);
        monitor.start();
        QTRY_COMPARE_WITH_TIMEOUT(agents.size(), 1, 2000);
        QCOMPARE(agents[0][1].toBool(), false);
        const int polls = backend.polls["robot"];
        QTRY_VERIFY_WITH_TIMEOUT(backend.polls["robot"] >= polls + 3, 2000);
        QCOMPARE(agents.size(), 1); // still unreachable: nothing new

        backend.agents["robot"] = {};
        backend.agents["robot"].statuses = {upService("robot", "a", 10)};
        QTRY_COMPARE_WITH_TIMEOUT(agents.size(), 2, 2000);
        QCOMPARE(agents[1][1].toBool(), true);
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 2000);

        // Gone again: its services are forgotten and come back as changes.
        backend.agents["robot"].error = ApiError::timeout("late");
        QTRY_COMPARE_WITH_TIMEOUT(agents.size(), 3, 2000);
        QVERIFY(monitor.services().isEmpty());
        backend.agents["robot"].error.reset();
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 2000);
    }

    void hungAgentDelaysOnlyItself() {
        FakeBackend backend;
        backend.agents["hung"].hang = true;
        backend.agents["slow"].delayMs = 150;
        backend.agents["slow"].statuses = {upService("slow", "s", 1)};
        backend.agents["fast"].statuses = {upService("fast", "f", 2)};
        StatusMonitor::Settings settings = fast();
        settings.pollWatchdogMs = 1500;
        StatusMonitor monitor(&backend, {"hung", "slow", "fast"}, nullptr, settings);
        QSignalSpy agents(&monitor, &StatusMonitor::agentReachabilityChanged);
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(backend.polls["fast"] >= 20, 3000);
        QCOMPARE(backend.polls["hung"], 1); // its one poll is still under way
        QVERIFY(backend.polls["slow"] >= 2);
        for (const char *c : {"slow", "fast"})
            QCOMPARE(backend.maxPollsInFlight.value(c), 1); // never two polls at once
        // The watchdog gives up on the lost answer: the agent is unreachable, polled anew.
        QTRY_VERIFY_WITH_TIMEOUT(backend.polls["hung"] >= 2, 3000);
        QVERIFY(monitor.agents().contains(QPair<QString, bool>("hung", false)));
        monitor.stop();
        const int fastPolls = backend.polls["fast"];
        QCoreApplication::processEvents(); // nothing is scheduled after stop()
        QCOMPARE(backend.polls["fast"], fastPolls);
    }

    void pushedAgentIsPolledOnceThenFollowed() {
        FakeBackend backend;
        backend.pushes = true;
        backend.agents["robot"].statuses = {upService("robot", "a", 10),
                                            upService("robot", "b", 20)};
        backend.pollOnly = {"old"}; // polled alongside, as a clock that counts polls
        StatusMonitor monitor(&backend, {"robot", "old"}, nullptr, fast());
        QSignalSpy changed(&monitor, &StatusMonitor::serviceChanged);
        QSignalSpy removed(&monitor, &StatusMonitor::serviceRemoved);
        monitor.start();
        QCOMPARE(backend.feeds.size(), 1);
        QCOMPARE(backend.polls["robot"], 0); // nothing is asked before the agent accepts
        Q_EMIT backend.feeds[0]->opened();
        // The one reconciling poll, and no cycle after it.
        QTRY_COMPARE(monitor.services().size(), 2);
        QVERIFY(monitor.isPushed("robot"));
        QCOMPARE(changed.size(), 2);
        const int polls = backend.polls["robot"];
        QCOMPARE(polls, 1);

        // A pushed change is a change; a pushed state that only aged is not.
        Q_EMIT backend.feeds[0]->changed(upService("robot", "a", 11));
        QCOMPARE(changed.size(), 3);
        QCOMPARE(changed.last().at(0).value<ServiceStatus>().pid, std::optional<qint64>(11));
        Q_EMIT backend.feeds[0]->changed(upService("robot", "a", 11, 99));
        QCOMPARE(changed.size(), 3);
        QCOMPARE(monitor.services().first().uptimeSeconds, std::optional<qint64>(99));
        // A new service, and one that went.
        Q_EMIT backend.feeds[0]->changed(upService("robot", "c", 30));
        QCOMPARE(monitor.services().size(), 3);
        Q_EMIT backend.feeds[0]->removed("b");
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().at(1).toString(), QString("b"));
        QCOMPARE(monitor.services().size(), 2);

        // While the polled agent goes through ten cycles, the pushed one is not asked again.
        const int oldPolls = backend.polls["old"];
        QTRY_VERIFY(backend.polls["old"] >= oldPolls + 10);
        QCOMPARE(backend.polls["robot"], polls);
    }

    // A crash loop counted from deaths ends with time alone, which no agent pushes: while it
    // lasts its agent is polled, and the end is a change.
    void pushedCrashLoopEndShowsByPolling() {
        FakeBackend backend;
        backend.pushes = true;
        ServiceStatus looping = upService("robot", "crashy", 10);
        looping.deathsLastMinute = 4;
        backend.agents["robot"].statuses = {upService("robot", "steady", 5)};
        backend.pollOnly = {"old"}; // polled alongside, as a clock that counts polls
        StatusMonitor monitor(&backend, {"robot", "old"}, nullptr, fast());
        QSignalSpy changed(&monitor, &StatusMonitor::serviceChanged);
        monitor.start();
        Q_EMIT backend.feeds[0]->opened();
        QTRY_COMPARE(changed.size(), 1); // the reconciling poll's answer
        QCOMPARE(backend.polls["robot"], 1);
        // Pushed: it dies over and over.
        Q_EMIT backend.feeds[0]->changed(looping);
        QCOMPARE(changed.size(), 2);
        QVERIFY(changed.last().at(0).value<ServiceStatus>().crashLooping());
        backend.agents["robot"].statuses = {upService("robot", "steady", 5), looping};
        // Polled while it lasts, with no event while nothing changes.
        QTRY_VERIFY(backend.polls["robot"] >= 4);
        QCOMPARE(changed.size(), 2);
        // Its deaths age out of the minute: the end of the crash loop is a change.
        looping.deathsLastMinute = 2;
        backend.agents["robot"].statuses = {upService("robot", "steady", 5), looping};
        QTRY_COMPARE(changed.size(), 3);
        QCOMPARE(changed.last().at(0).value<ServiceStatus>().service, QString("crashy"));
        QVERIFY(!changed.last().at(0).value<ServiceStatus>().crashLooping());
        // And the polling stops with it: while the other agent goes through ten cycles, the
        // pushed one is not asked again.
        const int polls = backend.polls["robot"];
        const int oldPolls = backend.polls["old"];
        QTRY_VERIFY(backend.polls["old"] >= oldPolls + 10);
        QCOMPARE(backend.polls["robot"], polls);
        QVERIFY(monitor.isPushed("robot"));
    }

    void agentWithoutEventsIsPolled() {
        FakeBackend backend;
        backend.pushes = true;
        backend.agents["old"].statuses = {upService("old", "a", 10)};
        StatusMonitor monitor(&backend, {"old"}, nullptr, fast());
        monitor.start();
        QCOMPARE(backend.feeds.size(), 1);
        Q_EMIT backend.feeds[0]->finished(ApiError::notFound("Not Found"));
        QTRY_VERIFY(backend.polls["old"] >= 3); // the poll cycle runs
        QVERIFY(!monitor.isPushed("old"));
        QCOMPARE(backend.feeds.size(), 1); // and it is not asked to push again
        QTRY_VERIFY(backend.feeds[0].isNull());
    }

    void agentThatWentAwayIsResubscribed() {
        FakeBackend backend;
        backend.pushes = true;
        backend.agents["robot"].statuses = {upService("robot", "a", 10)};
        StatusMonitor::Settings settings = fast();
        settings.agentRetryInitialMs = 10;
        StatusMonitor monitor(&backend, {"robot"}, nullptr, settings);
        QSignalSpy agents(&monitor, &StatusMonitor::agentReachabilityChanged);
        monitor.start();
        Q_EMIT backend.feeds[0]->opened();
        QTRY_COMPARE(monitor.services().size(), 1);
        Q_EMIT backend.feeds[0]->finished(ApiError::unavailable("agent went away"));
        QVERIFY(monitor.agents().contains(QPair<QString, bool>("robot", false)));
        QVERIFY(monitor.services().isEmpty());
        const int polls = backend.polls["robot"];
        QTRY_COMPARE(backend.feeds.size(), 2);   // resubscribed after the backoff
        QCOMPARE(backend.polls["robot"], polls); // not polled meanwhile
        Q_EMIT backend.feeds[1]->opened();
        QTRY_VERIFY(monitor.agents().contains(QPair<QString, bool>("robot", true)));
        QCOMPARE(monitor.services().size(), 1);
        QCOMPARE(agents.size(), 3); // reachable, unreachable, reachable again
    }

    void agentThatOpensThenHangsIsRetriedLessOften() {
        // Two agents whose streams keep ending: "healthy" sends its states each time, "hung"
        // answers the headers and then nothing. Only the first starts its backoff again; the
        // second waits twice as long each time, so it is asked less and less often.
        FakeBackend backend;
        backend.pushes = true;
        backend.agents["healthy"].statuses = {upService("healthy", "a", 10)};
        backend.agents["hung"].statuses = {upService("hung", "a", 10)};
        StatusMonitor::Settings settings = fast();
        settings.agentRetryInitialMs = 10;
        settings.agentRetryMaxMs = 60000;
        StatusMonitor monitor(&backend, {"healthy", "hung"}, nullptr, settings);
        QHash<QString, int> subscriptions;
        qsizetype driven = 0;
        QTimer driver; // each new subscription: opened, perhaps an event, then the end
        connect(&driver, &QTimer::timeout, this, [&] {
            for (; driven < backend.feeds.size(); ++driven) {
                ServiceFeed *feed = backend.feeds[driven];
                if (!feed)
                    continue;
                const QString container = feed->objectName();
                ++subscriptions[container];
                Q_EMIT feed->opened();
                if (container == "healthy")
                    Q_EMIT feed->changed(upService("healthy", "a", 10));
                Q_EMIT feed->finished(ApiError::timeout("sent nothing"));
            }
        });
        monitor.start();
        driver.start(1);
        QTRY_VERIFY_WITH_TIMEOUT(subscriptions["healthy"] >= 20, 20000);
        QVERIFY2(subscriptions["hung"] <= 10,
                 qPrintable(QStringLiteral("hung: %1").arg(subscriptions["hung"])));
    }
};

QTEST_GUILESS_MAIN(LiveStatusMonitorTest)
#include "live_status_monitor.moc"

// The dashboard's table models over an in-memory Backend, each under QAbstractItemModelTester.
#include "ContainerListModel.h"
#include "DockerTableModel.h"
#include "FakeBackend.h"
#include "ServiceState.h"
#include "ServiceTableModel.h"
#include "TextFilterProxy.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>
#include <QTest>

using namespace sm;

class GuiModelsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        m_backend = std::make_unique<FakeBackend>();
        m_backend->containerList = {{"ai_worker", "/a.sock"}, {"perception", "/p.sock"}};
        m_backend->agents["ai_worker"].statuses = {
            makeStatus("ai_worker", "ros_bridge", true, 100),
            makeStatus("ai_worker", "planner", false),
            makeStatus("ai_worker", "crasher", false, 0, true),
        };
        m_backend->agents["ai_worker"].statuses[1].wantUp = false;
    }

    void servicesLoadWithStates() {
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(ServiceTableModel::ColumnCount));
        const auto state = [&](int row) {
            return model.index(row, ServiceTableModel::State).data().toString();
        };
        QCOMPARE(state(0), "up");
        QCOMPARE(state(1), "down");
        QCOMPARE(state(2), "crash loop");
        QCOMPARE(model.index(0, ServiceTableModel::Pid).data().toString(), "100");
        QCOMPARE(model.index(0, ServiceTableModel::Label).data().toString(), "ROS_BRIDGE");
        QCOMPARE(model.index(0, ServiceTableModel::Uptime).data().toString(), "5s");
        QCOMPARE(
            model.index(2, ServiceTableModel::State).data(ServiceTableModel::BadgeRole).toInt(),
            int(BadgeState::CrashLoop));
        QCOMPARE(resets.count(), 1); // the container switch only
    }

    // The deaths column and the failed state, from an agent that counts deaths; the rows of
    // one that does not (init()'s) show "—" there and the older crash-loop rule.
    void deathsColumnAndFailedState() {
        auto &list = m_backend->agents["ai_worker"].statuses;
        ServiceStatus failed = makeStatus("ai_worker", "gave_up", false);
        failed.wantUp = false;
        failed.exitCode = 3;
        failed.permanentFailure = true;
        failed.deathsLastMinute = 2;
        failed.deathsLastHour = 2;
        failed.lastDeath = ServiceDeath{"2026-01-07T10:00:02Z", 3, std::nullopt};
        ServiceStatus looping = makeStatus("ai_worker", "looping", true, 321);
        looping.deathsLastMinute = 4; // up right now, between two deaths
        looping.deathsLastHour = 9;
        looping.permanentFailure = false;
        looping.lastDeath = ServiceDeath{"2026-01-07T10:00:05Z", std::nullopt, "SIGSEGV"};
        ServiceStatus once = makeStatus("ai_worker", "died_once", false, 0, true);
        once.deathsLastMinute = 1; // down, wanted up, s6 restarts it: not a loop (yet)
        once.deathsLastHour = 1;
        once.permanentFailure = false;
        ServiceStatus stopped = makeStatus("ai_worker", "stopped", false);
        stopped.wantUp = false;
        stopped.deathsLastMinute = 5; // it looped, then was stopped
        stopped.deathsLastHour = 5;
        stopped.permanentFailure = false;
        list << failed << looping << once << stopped;

        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 7);
        const auto cell = [&](const QString &id, int column, int role = Qt::DisplayRole) {
            return model.index(model.rowOf(id), column).data(role);
        };
        QCOMPARE(model.headerData(ServiceTableModel::Deaths, Qt::Horizontal).toString(),
                 QString("Deaths (1 h)"));
        QCOMPARE(cell("gave_up", ServiceTableModel::State).toString(), "failed");
        QCOMPARE(cell("gave_up", ServiceTableModel::State, ServiceTableModel::BadgeRole).toInt(),
                 int(BadgeState::Failed));
        QCOMPARE(cell("looping", ServiceTableModel::State).toString(), "crash loop");
        QCOMPARE(cell("died_once", ServiceTableModel::State).toString(), "down");
        QCOMPARE(cell("stopped", ServiceTableModel::State).toString(), "down");
        // init()'s: no death count, so the older rule (down, wanted up, exit code).
        QCOMPARE(cell("crasher", ServiceTableModel::State).toString(), "crash loop");

        QCOMPARE(cell("gave_up", ServiceTableModel::Deaths).toString(), "2");
        QCOMPARE(cell("looping", ServiceTableModel::Deaths).toString(), "9");
        QCOMPARE(cell("stopped", ServiceTableModel::Deaths).toString(), "5");
        QCOMPARE(cell("ros_bridge", ServiceTableModel::Deaths).toString(), QString(QChar(0x2014)));
        QCOMPARE(cell("ros_bridge", ServiceTableModel::Deaths, ServiceTableModel::SortRole),
                 QVariant(-1));
        QCOMPARE(cell("looping", ServiceTableModel::Deaths, ServiceTableModel::SortRole),
                 QVariant(9));
        QVERIFY(cell("looping", ServiceTableModel::Deaths, Qt::ToolTipRole)
                    .toString()
                    .contains("killed by SIGSEGV; 4 in the last minute"));
        QVERIFY(cell("gave_up", ServiceTableModel::Deaths, Qt::ToolTipRole)
                    .toString()
                    .contains("exit code 3"));
        QVERIFY(cell("ros_bridge", ServiceTableModel::Deaths, Qt::ToolTipRole)
                    .toString()
                    .contains("does not count deaths"));

        // Failed is its own badge: text and color unlike down's and the crash loop's.
        const QList<BadgeState> states{BadgeState::Failed, BadgeState::Down, BadgeState::CrashLoop};
        for (BadgeState a : states)
            for (BadgeState b : states)
                if (a != b) {
                    QVERIFY(badgeText(a) != badgeText(b));
                    QVERIFY(badgeColor(a) != badgeColor(b));
                }

        // Started again: a live event turns it back into a plain running service.
        ServiceStatus restarted = failed;
        restarted.isUp = true;
        restarted.pid = 999;
        restarted.wantUp = true;
        restarted.exitCode.reset();
        restarted.permanentFailure = false;
        Q_EMIT m_backend->serviceChanged(restarted);
        QCOMPARE(cell("gave_up", ServiceTableModel::State).toString(), "up");
    }

    void servicesFollowLiveUpdatesWithoutPolling() {
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(20);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);
        QTRY_VERIFY(m_backend->polls["ai_worker"] >= 3); // not live yet: it polls

        m_backend->setLive(true);
        // A model on a backend that is not live polls alongside, as a clock: across ten of its
        // polls (after a fetch that was already due), the live one is not asked again.
        FakeBackend clockBackend;
        ServiceTableModel clock(&clockBackend);
        clock.setPollInterval(20);
        clock.setContainer("ai_worker");
        QTRY_VERIFY(clockBackend.polls["ai_worker"] >= 10);
        const int polls = m_backend->polls["ai_worker"];
        QTRY_VERIFY(clockBackend.polls["ai_worker"] >= 20);
        QCOMPARE(m_backend->polls["ai_worker"], polls);

        // Events carry the states now: one arrives and is shown.
        Q_EMIT m_backend->serviceChanged(makeStatus("ai_worker", "ros_bridge", true, 101));
        QCOMPARE(model.index(0, ServiceTableModel::Pid).data().toString(), "101");
        // The uptime of a running service keeps counting between events, by the seconds that
        // passed: on a loaded machine one tick may carry several.
        const auto uptime = [&] {
            return model.index(0, ServiceTableModel::Uptime)
                .data(ServiceTableModel::SortRole)
                .toLongLong();
        };
        QTRY_VERIFY_WITH_TIMEOUT(uptime() > 5, 3000);
        QCOMPARE(model.index(0, ServiceTableModel::Uptime).data().toString(),
                 QString("%1s").arg(uptime()));
        QCOMPARE(m_backend->polls["ai_worker"], polls);

        // The events stop: it catches up and polls again.
        m_backend->setLive(false);
        QTRY_VERIFY(m_backend->polls["ai_worker"] >= polls + 3);
    }

    void servicesUpdateInPlace() {
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy refreshed(&model, &ServiceTableModel::refreshed);
        auto &list = m_backend->agents["ai_worker"].statuses;
        list[0].pid = 200;                                          // changed
        list.removeAt(1);                                           // planner gone
        list.append(makeStatus("ai_worker", "new_one", true, 300)); // added
        model.refresh();
        QVERIFY(refreshed.wait(2000));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, ServiceTableModel::Pid).data().toString(), "200");
        QCOMPARE(model.rowOf("planner"), -1);
        QCOMPARE(model.rowOf("new_one"), 2);

        // Nothing changed: no signal at all.
        changed.clear();
        model.refresh();
        QVERIFY(refreshed.wait(2000));
        QCOMPARE(changed.count(), 0);
    }

    void serviceChangedEventUpdatesRow() {
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        ServiceStatus event = makeStatus("ai_worker", "planner", true, 777);
        event.serviceLabel.clear(); // events may carry only the agent's fields
        Q_EMIT m_backend->serviceChanged(event);
        QCOMPARE(changed.count(), 1);
        const int row = model.rowOf("planner");
        QCOMPARE(model.index(row, ServiceTableModel::State).data().toString(), "up");
        QCOMPARE(model.index(row, ServiceTableModel::Pid).data().toString(), "777");
        QCOMPARE(model.index(row, ServiceTableModel::Label).data().toString(), "PLANNER");
        // Another container's event is not ours.
        Q_EMIT m_backend->serviceChanged(makeStatus("perception", "planner", false));
        QCOMPARE(changed.count(), 1);
    }

    void serviceRemovedEventDropsRowWithoutPolling() {
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0); // only the event can bring the change
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        m_backend->agents["ai_worker"].statuses.removeAt(1); // planner gone
        // Another container's removal is not ours.
        Q_EMIT m_backend->serviceRemoved("perception", "planner");
        Q_EMIT m_backend->serviceRemoved("ai_worker", "planner");
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.rowOf("planner"), -1);
    }

    void refreshesCoalesceAndNeverOverlap() {
        m_backend->delayMs = 50;
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);
        const int before = m_backend->statusesCalls;
        QSignalSpy refreshed(&model, &ServiceTableModel::refreshed);
        for (int i = 0; i < 20; ++i)
            model.refresh();
        QVERIFY(refreshed.wait(2000));
        QCOMPARE(m_backend->statusesCalls, before + 1);
        QCOMPARE(m_backend->maxInFlight, 1);
    }

    void errorClearsRowsAndReports() {
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);
        QSignalSpy errors(&model, &ServiceTableModel::errorOccurred);
        m_backend->agents["ai_worker"].error =
            ApiError::unavailable("Agent for container 'ai_worker' is unreachable: refused");
        model.refresh();
        QVERIFY(errors.wait(2000));
        QCOMPARE(errors.at(0).at(0).toString(),
                 "Agent for container 'ai_worker' is unreachable: refused");
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.lastError(), errors.at(0).at(0).toString());
        m_backend->agents["ai_worker"].error.reset();
        model.refresh();
        QTRY_COMPARE(model.rowCount(), 3);
        QVERIFY(model.lastError().isEmpty());
    }

    void switchingContainerDropsStaleAnswers() {
        m_backend->delayMs = 100;
        m_backend->agents["perception"].statuses = {makeStatus("perception", "camera", true, 5)};
        ServiceTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QVERIFY(QTest::qWaitFor([&] { return m_backend->inFlight == 1; }, 1000));
        model.setContainer("perception");
        QTRY_COMPARE(model.rowCount(), 1);
        QTRY_COMPARE(m_backend->inFlight, 0);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.statusAt(0).service, "camera");
    }

    void pollsOnTimer() {
        ServiceTableModel model(m_backend.get());
        model.setPollInterval(50);
        model.setContainer("ai_worker");
        QTRY_VERIFY_WITH_TIMEOUT(m_backend->statusesCalls >= 3, 3000);
    }

    void dockerModel() {
        m_backend->dockerList = {{"a1", "web", "running", "tiny:latest", "2026-11-26T10:00:00Z"},
                                 {"b2", "db", "exited", "tiny:latest", "2026-11-26T09:00:00Z"}};
        DockerStatus web;
        web.name = "web";
        web.status = "running";
        web.running = true;
        web.startedAt = QDateTime::currentDateTimeUtc().addSecs(-90).toString(Qt::ISODate);
        DockerStatus db;
        db.name = "db";
        db.status = "exited";
        db.exitCode = 3;
        db.finishedAt = "2026-11-26T09:30:00Z";
        m_backend->dockerDetails = {{"web", web}, {"db", db}};

        DockerTableModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        model.setActive(true);
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(DockerTableModel::ColumnCount));
        QCOMPARE(model.index(0, DockerTableModel::Name).data().toString(), "web");
        QCOMPARE(model.index(0, DockerTableModel::State).data().toString(), "running");
        QVERIFY(model.index(0, DockerTableModel::Status).data().toString().startsWith("Up 1m"));
        QVERIFY(
            model.index(1, DockerTableModel::Status).data().toString().startsWith("Exited (3)"));
        QCOMPARE(model.index(1, DockerTableModel::State).data(DockerTableModel::BadgeRole).toInt(),
                 int(BadgeState::Down));

        // A Docker event triggers a refresh that updates in place.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy refreshed(&model, &DockerTableModel::refreshed);
        m_backend->dockerList[1].status = "running";
        Q_EMIT m_backend->dockerEvent({"db", "start", "2026-11-26T11:00:00Z"});
        QVERIFY(refreshed.wait(2000));
        QCOMPARE(model.index(1, DockerTableModel::State).data().toString(), "running");
        QCOMPARE(resets.count(), 0);

        QSignalSpy errors(&model, &DockerTableModel::errorOccurred);
        m_backend->dockerList.clear();
        model.refresh();
        QVERIFY(refreshed.wait(2000));
        QCOMPARE(model.rowCount(), 0);
    }

    void containerList() {
        m_backend->healthValue.agents = {{"ai_worker", true}, {"perception", false}};
        m_backend->healthValue.dockerAvailable = true;
        ContainerListModel model(m_backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPollInterval(0);
        QTRY_COMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, 0).data().toString(), "ai_worker");
        QCOMPARE(model.index(2, 0).data(ContainerListModel::KindRole).toInt(),
                 int(ContainerListModel::DockerEntry));
        QTRY_COMPARE(model.index(1, 0).data(ContainerListModel::ReachableRole), QVariant(false));
        QCOMPARE(model.index(0, 0).data(ContainerListModel::ReachableRole), QVariant(true));
        QCOMPARE(model.index(2, 0).data(ContainerListModel::ReachableRole), QVariant(true));
        QVERIFY(!model.index(0, 0).data(Qt::DecorationRole).value<QIcon>().isNull());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        Q_EMIT m_backend->agentReachabilityChanged("perception", true);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(1, 0).data(ContainerListModel::ReachableRole), QVariant(true));

        // A container added to the config shows up before the Docker entry, in place.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy refreshed(&model, &ContainerListModel::refreshed);
        m_backend->containerList.append(ContainerInfo{"arm", "/arm.sock"});
        model.refresh();
        QVERIFY(refreshed.wait(2000));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(2, 0).data().toString(), "arm");
        QCOMPARE(model.index(3, 0).data(ContainerListModel::KindRole).toInt(),
                 int(ContainerListModel::DockerEntry));
    }

    void filterProxy() {
        ServiceTableModel model(m_backend.get());
        model.setPollInterval(0);
        model.setContainer("ai_worker");
        QTRY_COMPARE(model.rowCount(), 3);
        TextFilterProxy proxy(ServiceTableModel::SortRole);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setFilterText("crash");
        QCOMPARE(proxy.rowCount(), 1); // matches the state column
        proxy.setFilterText("ROS");
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, ServiceTableModel::Id).data().toString(), "ros_bridge");
        proxy.setFilterText("");
        QCOMPARE(proxy.rowCount(), 3);
        proxy.sort(ServiceTableModel::Pid, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, ServiceTableModel::Id).data().toString(), "ros_bridge");
        // A row that starts to match appears without touching the filter.
        proxy.setFilterText("up");
        const int before = proxy.rowCount();
        Q_EMIT m_backend->serviceChanged(makeStatus("ai_worker", "planner", true, 9));
        QCOMPARE(proxy.rowCount(), before + 1);
    }

    void durations_data() {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("text");
        QTest::addRow("seconds") << qint64(45) << "45s";
        QTest::addRow("minutes") << qint64(187) << "3m 07s";
        QTest::addRow("hours") << qint64(7500) << "2h 05m";
        QTest::addRow("days") << qint64(3 * 86400 + 4 * 3600) << "3d 4h";
    }
    void durations() {
        QFETCH(qint64, seconds);
        QFETCH(QString, text);
        QCOMPARE(formatDuration(seconds), text);
    }

private:
    std::unique_ptr<FakeBackend> m_backend;
};

QTEST_MAIN(GuiModelsTest)
#include "gui_models.moc"

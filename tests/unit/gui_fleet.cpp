// The fleet views' rules: which bucket a service counts in, and what a robot's summary says.
#include "fleet/Fleet.h"
#include "fleet/FleetTreeModel.h"
#include "gui_http_peer.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace sm;

Q_DECLARE_METATYPE(sm::RobotLink::Bucket)

class GuiFleetTest final : public QObject {
    Q_OBJECT

    static ServiceStatus status(bool up, std::optional<bool> wantUp, std::optional<int> deaths,
                                std::optional<bool> failed) {
        ServiceStatus s;
        s.container = "c";
        s.service = "s";
        s.isUp = up;
        s.wantUp = wantUp;
        s.deathsLastMinute = deaths;
        s.permanentFailure = failed;
        return s;
    }

private Q_SLOTS:
    void bucket_data() {
        QTest::addColumn<ServiceStatus>("status");
        QTest::addColumn<RobotLink::Bucket>("bucket");
        using B = RobotLink::Bucket;
        QTest::newRow("up") << status(true, true, 0, false) << B::Up;
        QTest::newRow("down, wanted up") << status(false, true, 1, false) << B::Down;
        QTest::newRow("stopped on purpose") << status(false, false, 0, false) << B::Stopped;
        QTest::newRow("old agent: down, want unknown")
            << status(false, std::nullopt, std::nullopt, std::nullopt) << B::Down;
        QTest::newRow("crash loop while up") << status(true, true, 3, false) << B::CrashLoop;
        QTest::newRow("crash loop while down") << status(false, true, 5, false) << B::CrashLoop;
        QTest::newRow("failed") << status(false, false, 5, true) << B::Failed;
        QTest::newRow("up, failed flag stale") << status(true, true, 0, true) << B::Up;
    }
    void bucket() {
        QFETCH(ServiceStatus, status);
        QFETCH(RobotLink::Bucket, bucket);
        QCOMPARE(RobotLink::bucketOf(status), bucket);
    }

    // Before it has connected, a robot says so instead of counting nothing as "all 0 up".
    void summaryBeforeConnecting() {
        RobotLink connecting({"r1", QUrl("http://127.0.0.1:1"), {}});
        QCOMPARE(fleetSummary(connecting), QString("connecting…"));
        QCOMPARE(connecting.link(), RobotLink::Link::Connecting);
        RobotLink noToken({"r2", QUrl("http://127.0.0.1:1"), "/nonexistent/token"});
        noToken.start();
        QCOMPARE(noToken.link(), RobotLink::Link::NoToken);
        QCOMPARE(fleetSummary(noToken), QString("no token"));
        QVERIFY(noToken.linkText().contains("/nonexistent/token"));
        QCOMPARE(noToken.backend(), nullptr);
    }

    // A robot's containers change (its daemon's config did): the tree follows row by row, so
    // the entries that stay keep their place in a selection.
    void containersChangeRowByRow() {
        HttpPeer peer;
        const auto health = [&peer](const QByteArray &agents) {
            peer.route("GET /healthz",
                       {200, "application/json",
                        R"({"status":"ok","agents":{)" + agents + R"(},"docker":"available"})"});
        };
        for (const QByteArray c : {"a", "b", "c"})
            peer.route("GET /containers/" + c + "/services/status",
                       {200, "application/json", R"({"container":")" + c + R"(","statuses":[]})"});
        health(R"("a":"reachable","b":"reachable")");
        Fleet fleet({{"r", peer.url(), {}}});
        fleet.at(0)->setPollInterval(50); // no /events here: the summary is polled
        FleetTreeModel model;
        QAbstractItemModelTester tester(&model);
        model.setFleet(&fleet);
        fleet.start();
        const QModelIndex robot = model.robotIndex(0);
        QTRY_COMPARE(model.rowCount(robot), 3);
        const QPersistentModelIndex b = model.childIndex(0, "b");
        const QPersistentModelIndex docker = model.childIndex(0, {});
        QCOMPARE(b.row(), 1);
        QCOMPARE(docker.data(FleetTreeModel::KindRole).toInt(), int(FleetTreeModel::DockerEntry));

        health(R"("b":"reachable","c":"unreachable")");
        QTRY_VERIFY(model.childIndex(0, "c").isValid());
        QVERIFY(!model.childIndex(0, "a").isValid());
        QCOMPARE(model.rowCount(robot), 3);
        QVERIFY(b.isValid());
        QCOMPARE(b.data().toString(), QString("b"));
        QCOMPARE(b.row(), 0);
        QVERIFY(docker.isValid());
        QCOMPARE(docker.row(), 2);
        QCOMPARE(fleet.at(0)->counts().agentsDown, 1);
    }
};

QTEST_MAIN(GuiFleetTest)
#include "gui_fleet.moc"

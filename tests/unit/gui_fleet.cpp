// The fleet views' rules: which bucket a service counts in, and what a robot's summary says.
#include "fleet/Fleet.h"

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
};

QTEST_MAIN(GuiFleetTest)
#include "gui_fleet.moc"

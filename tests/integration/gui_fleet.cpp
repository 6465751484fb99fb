// The dashboard's fleet mode over real parts: two robots, each a real s6 tree with the
// project's s6-agent under its own built system-managerd (one of them requiring a token, read
// from a token file), next to a daemon that accepts connections and never answers (a
// purpose-built hung peer), an address nothing listens on, and a robot whose token file is
// missing. Each robot shows its own link and counts, live from its /events, and the hung one
// costs the others nothing.
#include "ContainerListModel.h"
#include "MainWindow.h"
#include "S6Tree.h"
#include "ServiceTableModel.h"
#include "Session.h"
#include "daemon_support.h"
#include "fleet/Fleet.h"
#include "fleet/FleetOverviewModel.h"
#include "fleet/FleetTreeModel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QListView>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTreeView>

using namespace sm;

namespace {

const QByteArray kToken = "fleet-secret-token-3f9a";

QByteArray daemonYaml(const QString &container, const QString &agentSocket, const QString &dir,
                      bool token) {
    QByteArray text = "containers:\n  " + container.toUtf8() + ":\n    socket_path: \"" +
                      agentSocket.toUtf8() + "\"\ndocker:\n  socket_path: \"" + dir.toUtf8() +
                      "/no-docker.sock\"\n";
    if (token)
        text += "api:\n  tokens:\n    - {name: ops, token: \"" + kToken + "\", role: operator}\n";
    return text;
}

QString describe(const Fleet &fleet) {
    QStringList lines;
    for (int i = 0; i < fleet.size(); ++i) {
        const RobotLink *l = fleet.at(i);
        const RobotLink::Counts c = l->counts();
        lines.append(QStringLiteral("%1: %2 (%3) up %4 down %5 stopped %6 loop %7 failed %8 "
                                    "last '%9'")
                         .arg(l->robot().name, linkWord(l->link()), l->linkText())
                         .arg(c.up)
                         .arg(c.down)
                         .arg(c.stopped)
                         .arg(c.crashLoop)
                         .arg(c.failed)
                         .arg(l->lastEvent().text));
    }
    return lines.join('\n');
}

} // namespace

class GuiFleetTest final : public QObject {
    Q_OBJECT

    S6Tree m_treeA;
    S6Tree m_treeB;
    std::unique_ptr<AgentProcess> m_agentA;
    std::unique_ptr<AgentProcess> m_agentB;
    DaemonProcess m_daemonA;
    DaemonProcess m_daemonB;
    QTcpServer m_hung;
    QList<QTcpSocket *> m_held; // accepted, read from, never answered
    quint16 m_closedPort = 0;
    QTemporaryDir m_dir;

    bool writeToken(const QString &file, const QByteArray &token) const {
        QFile f(m_dir.filePath(file));
        return f.open(QIODevice::WriteOnly) && f.write(token + "\n") == token.size() + 1;
    }

    QList<FleetRobot> robots() const {
        return {
            {"arm", QUrl(m_daemonA.baseUrl()), {}},
            {"base", QUrl(m_daemonB.baseUrl()), m_dir.filePath("base.token")},
            {"stuck", QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_hung.serverPort())), {}},
            {"gone", QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_closedPort)), {}},
            {"nokey", QUrl(m_daemonA.baseUrl()), m_dir.filePath("missing.token")},
            {"rotated", QUrl(m_daemonB.baseUrl()), m_dir.filePath("rotated.token")},
        };
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_treeA.addService("steady", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY(m_treeA.addService("flappy", "#!/bin/sh\nexec sleep 100000\n"));
        S6Tree::ServiceOptions crashy;
        crashy.downFile = true;
        QVERIFY(m_treeA.addService("crashy", "#!/bin/sh\nexit 3\n", crashy));
        QVERIFY2(m_treeA.start(), qPrintable(m_treeA.errorString()));
        QVERIFY(m_treeB.addService("steady", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_treeB.start(), qPrintable(m_treeB.errorString()));
        QVERIFY(m_treeA.waitUntilUp("flappy"));
        QVERIFY(m_treeB.waitUntilUp("steady"));
        m_agentA = std::make_unique<AgentProcess>();
        m_agentB = std::make_unique<AgentProcess>();
        QVERIFY2(m_agentA->start(agentOptions(m_treeA)), qPrintable(m_agentA->errorString()));
        QVERIFY2(m_agentB->start(agentOptions(m_treeB)), qPrintable(m_agentB->errorString()));
        QVERIFY2(m_daemonA.startWithConfig(
                     daemonYaml("arm-main", m_agentA->socketPath(), m_daemonA.dir(), false)),
                 m_daemonA.allStderr().constData());
        QVERIFY2(m_daemonB.startWithConfig(
                     daemonYaml("base-main", m_agentB->socketPath(), m_daemonB.dir(), true)),
                 m_daemonB.allStderr().constData());

        QVERIFY(writeToken("base.token", kToken));

        connect(&m_hung, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_hung.nextPendingConnection()) {
                m_held.append(s);
                connect(s, &QTcpSocket::readyRead, s, [s] { s->readAll(); });
            }
        });
        QVERIFY(m_hung.listen(QHostAddress::LocalHost));
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        m_closedPort = closed.serverPort();
    }

    void cleanupTestCase() {
        qDeleteAll(m_held);
        QCOMPARE(m_daemonA.stop(), 0);
        QCOMPARE(m_daemonB.stop(), 0);
        QVERIFY(m_agentA->stop());
        QVERIFY(m_agentB->stop());
        QVERIFY(m_treeA.stop());
        QVERIFY(m_treeB.stop());
    }

    void everyRobotShowsItsOwnState() {
        QVERIFY(writeToken("rotated.token", "an-old-token"));
        MainWindow w;
        Fleet fleet(robots());
        fleet.setRequestTimeout(1500); // the hung robot shows as down after this
        fleet.at(fleet.indexOf("rotated"))->setPollInterval(200);
        w.setFleet(&fleet);
        // Every change the live updates make is checked against the model contract.
        QAbstractItemModelTester treeTester(w.fleetModel());
        QAbstractItemModelTester overviewTester(w.overviewModel());
        fleet.start();
        w.resize(1200, 750);
        w.show();
        const int arm = fleet.indexOf("arm");
        const int base = fleet.indexOf("base");
        RobotLink *armLink = fleet.at(arm);
        RobotLink *baseLink = fleet.at(base);

        QVERIFY(w.overviewShown());
        QCOMPARE(w.fleetModel()->rowCount(), fleet.size() + 1);
        QTRY_VERIFY2_WITH_TIMEOUT(armLink->isLoaded() && baseLink->isLoaded(),
                                  qPrintable(describe(fleet)), 10000);
        QCOMPARE(armLink->link(), RobotLink::Link::Up);
        QCOMPARE(armLink->counts(), (RobotLink::Counts{2, 0, 1, 0, 0, 0}));
        // base requires a token: it was read from the token file when connecting.
        QCOMPARE(baseLink->link(), RobotLink::Link::Up);
        QCOMPARE(baseLink->counts(), (RobotLink::Counts{1, 0, 0, 0, 0, 0}));
        QCOMPARE(armLink->containers(), QStringList{"arm-main"});
        QTRY_VERIFY2_WITH_TIMEOUT(
            fleet.at(fleet.indexOf("stuck"))->link() == RobotLink::Link::Down &&
                fleet.at(fleet.indexOf("gone"))->link() == RobotLink::Link::Down,
            qPrintable(describe(fleet)), 10000);
        QVERIFY(!m_held.isEmpty()); // the hung robot was asked, and never answered
        const RobotLink *nokey = fleet.at(fleet.indexOf("nokey"));
        QCOMPARE(nokey->link(), RobotLink::Link::NoToken);
        QVERIFY2(nokey->linkText().contains("missing.token"), qPrintable(nokey->linkText()));
        QCOMPARE(nokey->backend(), nullptr);

        // A refused token says so; the file rotated to the right one is read at the next try.
        RobotLink *rotated = fleet.at(fleet.indexOf("rotated"));
        QTRY_VERIFY2_WITH_TIMEOUT(!rotated->readError().isEmpty(), qPrintable(describe(fleet)),
                                  10000);
        QVERIFY2(fleetSummary(*rotated).startsWith("cannot read: "),
                 qPrintable(fleetSummary(*rotated)));
        QVERIFY(writeToken("rotated.token", kToken));
        QTRY_VERIFY2_WITH_TIMEOUT(rotated->readError().isEmpty() && rotated->counts().up == 1,
                                  qPrintable(describe(fleet)), 10000);

        // The tree: each robot with its summary, expanding into its containers and Docker.
        const QModelIndex armRow = w.fleetModel()->robotIndex(arm);
        QCOMPARE(armRow.data().toString(), QString("arm — all 2 up, 1 stopped"));
        QCOMPARE(w.fleetModel()->robotIndex(base).data().toString(), QString("base — all 1 up"));
        QCOMPARE(w.fleetModel()->rowCount(armRow), 2);
        QCOMPARE(w.fleetModel()->index(0, 0, armRow).data().toString(), QString("arm-main"));
        QCOMPARE(w.fleetModel()->index(1, 0, armRow).data(FleetTreeModel::KindRole).toInt(),
                 int(FleetTreeModel::DockerEntry));

        // Live from /events while the hung robot's requests are still pending: a stop, then a
        // crash loop, then its end.
        QVERIFY(m_treeA.svc("flappy", "-d"));
        QTRY_COMPARE_WITH_TIMEOUT(armLink->counts().stopped, 2, 5000);
        QCOMPARE(armLink->lastEvent().text, QString("arm-main/flappy: stopped"));
        QVERIFY(m_treeA.svc("crashy", "-u"));
        QTRY_VERIFY2_WITH_TIMEOUT(armLink->counts().crashLoop == 1, qPrintable(describe(fleet)),
                                  15000);
        QCOMPARE(w.fleetModel()->robotIndex(arm).data().toString(), QString("arm — 1 crash loop"));
        QCOMPARE(w.overviewModel()
                     ->index(arm, FleetOverviewModel::CrashLoop)
                     .data(FleetOverviewModel::SortRole)
                     .toInt(),
                 1);
        QVERIFY(m_treeA.svc("crashy", "-d"));
        QVERIFY(m_treeA.svc("flappy", "-u"));
        QTRY_VERIFY2_WITH_TIMEOUT(armLink->counts() == (RobotLink::Counts{2, 0, 1, 0, 0, 0}),
                                  qPrintable(describe(fleet)), 10000);
        QDir().mkpath(SM_ARTIFACTS_DIR);
        QVERIFY(w.grab().save(QStringLiteral(SM_ARTIFACTS_DIR "/fleet-overview.png")));

        // A robot's container: the window shows that robot's services through its own link.
        QVERIFY(w.selectFleetEntry(base, "base-main"));
        QCOMPARE(w.shownRobot(), base);
        QCOMPARE(w.backend(), baseLink->backend());
        QTRY_VERIFY_WITH_TIMEOUT(w.serviceModel()->rowOf("steady") >= 0, 10000);
        QCOMPARE(w.serviceModel()->container(), QString("base-main"));
        QVERIFY(!w.overviewShown());

        // Back to the overview, then one click on a row goes to that robot.
        QVERIFY(w.selectFleetEntry(-1));
        QVERIFY(w.overviewShown());
        QTableView *overview = w.overviewView();
        const auto *sorted = qobject_cast<QSortFilterProxyModel *>(overview->model());
        const QModelIndex armCell =
            sorted->mapFromSource(w.overviewModel()->index(arm, FleetOverviewModel::Robot));
        QTest::mouseClick(overview->viewport(), Qt::LeftButton, {},
                          overview->visualRect(armCell).center());
        QCOMPARE(w.shownRobot(), arm);
        QTRY_VERIFY_WITH_TIMEOUT(w.serviceModel()->rowOf("crashy") >= 0, 10000);
        QCOMPARE(w.serviceModel()->container(), QString("arm-main"));
        QVERIFY(w.fleetView()->isExpanded(w.fleetModel()->robotIndex(arm)));

        // The overview chosen before a robot's list is in: the list arriving late leaves it be;
        // the same robot chosen again afterwards is shown.
        QVERIFY(w.selectFleetEntry(base, "base-main"));
        QVERIFY(w.selectFleetEntry(-1));
        QTRY_VERIFY_WITH_TIMEOUT(w.containerModel()->isLoaded(), 10000);
        QVERIFY(w.overviewShown());
        QVERIFY(w.selectFleetEntry(base, "base-main"));
        QVERIFY(!w.overviewShown());
        QTRY_VERIFY_WITH_TIMEOUT(w.serviceModel()->rowOf("steady") >= 0, 10000);
        QVERIFY(w.bottomTabs()->isVisible());
        QVERIFY(w.selectFleetEntry(arm, "arm-main"));

        // Docker of the same robot, then a robot that cannot connect: it says why.
        QVERIFY(w.selectFleetEntry(arm, {}, true));
        QTRY_VERIFY_WITH_TIMEOUT(w.dockerView()->isVisible(), 5000);
        QVERIFY(w.selectFleetEntry(fleet.indexOf("nokey")));
        QCOMPARE(w.backend(), nullptr);
        QVERIFY(w.overviewModel()
                    ->index(fleet.indexOf("nokey"), FleetOverviewModel::Link)
                    .data()
                    .toString() == "no token");
    }

    // What the Connect dialog asks for: the session builds the fleet, and a single robot's
    // connection afterwards leaves fleet mode.
    void sessionSwitchesBetweenFleetAndOneRobot() {
        MainWindow w;
        Session session(&w);
        Q_EMIT w.fleetRequested(robots().mid(0, 2));
        QVERIFY(w.fleet());
        QCOMPARE(w.fleet()->size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(w.fleet()->at(1)->isLoaded(), 10000);
        QVERIFY(w.fleetView()->isVisibleTo(&w));

        session.connectRemote(QUrl(m_daemonA.baseUrl()), {});
        QCOMPARE(w.fleet(), nullptr);
        QVERIFY(w.containerView()->isVisibleTo(&w));
        QVERIFY(!w.fleetView()->isVisibleTo(&w));
        QTRY_VERIFY_WITH_TIMEOUT(w.selectContainer("arm-main"), 10000);
    }
};

QTEST_MAIN(GuiFleetTest)
#include "gui_fleet.moc"

// A hung agent must not freeze the dashboard: a local QLocalServer that accepts connections
// and never answers stands in for it (a purpose-built misbehaving peer), next to a real agent.
// The event loop keeps turning and the window keeps working while requests to it are pending,
// and the container shows as unreachable once the deadline has passed.
#include "AgentProcess.h"
#include "ContainerListModel.h"
#include "MainWindow.h"
#include "S6Tree.h"
#include "ServiceTableModel.h"
#include "Session.h"
#include "config/SystemConfig.h"

#include <QElapsedTimer>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace sm;

namespace {
// A deadline beyond anything this test waits for (and beyond its CTest timeout): the stuck
// container's services request provably stays pending for as long as the test looks.
constexpr int kNeverMs = 120000;
} // namespace

class GuiHungAgentTest final : public QObject {
    Q_OBJECT

    S6Tree m_tree;
    AgentProcess m_agent;
    QTemporaryDir m_dir;
    QLocalServer m_hung;
    QList<QLocalSocket *> m_held; // accepted, read from, never answered

    ConfigLoad config(int requestTimeoutMs) const {
        const QByteArray yaml = QStringLiteral("containers:\n"
                                               "  - name: stuck\n"
                                               "    socket_path: \"%1\"\n"
                                               "  - name: healthy\n"
                                               "    socket_path: \"%2\"\n"
                                               "docker:\n"
                                               "  socket_path: \"%3\"\n"
                                               "api:\n"
                                               "  request_timeout_ms: %4\n")
                                    .arg(m_hung.fullServerName(), m_agent.socketPath(),
                                         m_dir.filePath("no-docker.sock"))
                                    .arg(requestTimeoutMs)
                                    .toUtf8();
        return loadConfigText(yaml, m_dir.filePath("config.yml"));
    }

    // Some request to the hung agent is still outstanding: a connection it holds is open (the
    // dashboard closes one only when its request ends, and none of them can be answered).
    bool hungRequestOpen() const {
        return std::any_of(m_held.begin(), m_held.end(), [](const QLocalSocket *s) {
            return s->state() == QLocalSocket::ConnectedState;
        });
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.addService("fine", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        AgentProcess::Options options;
        options.scanDir = m_tree.scanDir();
        options.logDir = m_tree.logDir();
        options.rcSourceDir = m_tree.scanDir();
        QVERIFY2(m_agent.start(options), qPrintable(m_agent.errorString()));

        QVERIFY(m_dir.isValid());
        connect(&m_hung, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *s = m_hung.nextPendingConnection()) {
                m_held.append(s);
                connect(s, &QLocalSocket::readyRead, s, [s] { s->readAll(); });
            }
        });
        QVERIFY(m_hung.listen(m_dir.filePath("hung.sock")));
    }

    void cleanupTestCase() { qDeleteAll(m_held); }

    void hungAgentKeepsTheWindowResponsive() {
        const ConfigLoad load = config(kNeverMs);
        QVERIFY2(load.ok(), qPrintable(load.error.toString()));

        MainWindow window;
        Session session(&window);
        session.connectLocal(*load.config, "hung-agent test");
        window.resize(1000, 600);
        window.show();

        // "stuck" is first in the config, so it is selected: its services request hangs.
        QTRY_VERIFY_WITH_TIMEOUT(window.selectContainer("stuck"), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_held.isEmpty(), 5000);
        ServiceTableModel *services = window.serviceModel();
        // Its services request has neither an answer nor an error yet.
        const auto stuckPending = [&] {
            return hungRequestOpen() && services->lastError().isEmpty() &&
                   services->rowCount() == 0;
        };
        QVERIFY(stuckPending());

        // The event loop keeps turning while that request is pending.
        int ticksWhilePending = 0;
        QTimer probe;
        probe.setInterval(50);
        connect(&probe, &QTimer::timeout, this, [&] {
            if (stuckPending())
                ++ticksWhilePending;
        });
        probe.start();
        QTRY_VERIFY_WITH_TIMEOUT(ticksWhilePending >= 5, 10000);

        ContainerListModel *containers = window.containerModel();
        const int healthyRow = containers->rowOf(ContainerListModel::AgentEntry, "healthy");
        // The healthy agent is not held up by its hung neighbour.
        QTRY_COMPARE_WITH_TIMEOUT(
            containers->index(healthyRow, 0).data(ContainerListModel::ReachableRole),
            QVariant(true), 5000);
        QVERIFY(stuckPending());

        // Meanwhile the window kept working: another container is one click away.
        QVERIFY(window.selectContainer("healthy"));
        QTRY_COMPARE_WITH_TIMEOUT(services->rowCount(), 1, 5000);
        QVERIFY(hungRequestOpen());
    }

    void hungAgentIsUnreachableAfterTheDeadline() {
        QElapsedTimer clock;
        clock.start();
        const ConfigLoad load = config(1500);
        QVERIFY2(load.ok(), qPrintable(load.error.toString()));

        MainWindow window;
        Session session(&window);
        session.connectLocal(*load.config, "hung-agent test");
        window.resize(1000, 600);
        window.show();

        const qsizetype heldBefore = m_held.size();
        QTRY_VERIFY_WITH_TIMEOUT(window.selectContainer("stuck"), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_held.size() > heldBefore, 5000);
        ContainerListModel *containers = window.containerModel();
        const int stuckRow = containers->rowOf(ContainerListModel::AgentEntry, "stuck");
        const int healthyRow = containers->rowOf(ContainerListModel::AgentEntry, "healthy");
        QTRY_COMPARE_WITH_TIMEOUT(
            containers->index(healthyRow, 0).data(ContainerListModel::ReachableRole),
            QVariant(true), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            containers->index(stuckRow, 0).data(ContainerListModel::ReachableRole), QVariant(false),
            8000);
        // The services request ends with the deadline's error, shown to the user.
        QTRY_VERIFY_WITH_TIMEOUT(!window.serviceModel()->lastError().isEmpty(), 8000);
        QVERIFY2(window.serviceModel()->lastError().contains("stuck"),
                 qPrintable(window.serviceModel()->lastError()));

        // The window still works: another container is one click away.
        QVERIFY(window.selectContainer("healthy"));
        QTRY_COMPARE_WITH_TIMEOUT(window.serviceModel()->rowCount(), 1, 5000);
        QVERIFY(clock.elapsed() > 1500); // the hung requests were pending all along
    }
};

QTEST_MAIN(GuiHungAgentTest)
#include "gui_hung_agent.moc"

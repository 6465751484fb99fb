// A hung agent must not freeze the dashboard: a local QLocalServer that accepts connections
// and never answers stands in for it (a purpose-built misbehaving peer), next to a real agent.
// The event loop keeps turning every 50 ms while requests to it are pending, and the
// container shows as unreachable once the deadline has passed.
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

using namespace sm;

class GuiHungAgentTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hungAgentKeepsTheWindowResponsive() {
        S6Tree tree;
        QVERIFY(tree.addService("fine", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(tree.start(), qPrintable(tree.errorString()));
        AgentProcess agent;
        AgentProcess::Options options;
        options.scanDir = tree.scanDir();
        options.logDir = tree.logDir();
        options.rcSourceDir = tree.scanDir();
        QVERIFY2(agent.start(options), qPrintable(agent.errorString()));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QLocalServer hung;
        QList<QLocalSocket *> held; // accepted, read from, never answered
        connect(&hung, &QLocalServer::newConnection, this, [&] {
            while (QLocalSocket *s = hung.nextPendingConnection()) {
                held.append(s);
                connect(s, &QLocalSocket::readyRead, s, [s] { s->readAll(); });
            }
        });
        QVERIFY(hung.listen(dir.filePath("hung.sock")));

        const QByteArray yaml =
            QStringLiteral("containers:\n"
                           "  - name: stuck\n"
                           "    socket_path: \"%1\"\n"
                           "  - name: healthy\n"
                           "    socket_path: \"%2\"\n"
                           "docker:\n"
                           "  socket_path: \"%3\"\n"
                           "api:\n"
                           "  request_timeout_ms: 1500\n")
                .arg(hung.fullServerName(), agent.socketPath(), dir.filePath("no-docker.sock"))
                .toUtf8();
        const ConfigLoad load = loadConfigText(yaml, dir.filePath("config.yml"));
        QVERIFY2(load.ok(), qPrintable(load.error.toString()));

        // Measure the event loop from before the first request until the end.
        QElapsedTimer clock;
        qint64 last = 0;
        qint64 worstGap = 0;
        int ticks = 0;
        QTimer probe;
        probe.setInterval(50);
        connect(&probe, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worstGap = std::max(worstGap, now - last);
            last = now;
            ++ticks;
        });
        clock.start();
        probe.start();

        MainWindow window;
        Session session(&window);
        session.connectLocal(*load.config, "hung-agent test");
        window.resize(1000, 600);
        window.show();

        // "stuck" is first in the config, so it is selected: its services request hangs.
        QTRY_VERIFY_WITH_TIMEOUT(window.selectContainer("stuck"), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!held.isEmpty(), 5000);
        ContainerListModel *containers = window.containerModel();
        const int stuckRow = containers->rowOf(ContainerListModel::AgentEntry, "stuck");
        const int healthyRow = containers->rowOf(ContainerListModel::AgentEntry, "healthy");
        // The healthy agent is not held up by its hung neighbour.
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

        // Meanwhile the window kept working: another container is one click away.
        QVERIFY(window.selectContainer("healthy"));
        QTRY_COMPARE_WITH_TIMEOUT(window.serviceModel()->rowCount(), 1, 5000);

        qInfo("event loop: %d ticks in %lld ms, worst gap %lld ms", ticks, clock.elapsed(),
              worstGap);
        QVERIFY(clock.elapsed() > 1500); // the hung requests were pending all along
        QVERIFY2(worstGap < 200, qPrintable(QString::number(worstGap)));
        qDeleteAll(held);
    }
};

QTEST_MAIN(GuiHungAgentTest)
#include "gui_hung_agent.moc"

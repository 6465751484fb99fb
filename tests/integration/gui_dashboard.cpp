// The dashboard on a real stack: an s6 tree (up, down, crash-looping, failed and logging
// services), the project's s6-agent, LocalBackend in-process, and the built system-managerd for
// remote mode. Local and remote windows must show the same rows.
#include "AgentProcess.h"
#include "ContainerListModel.h"
#include "DemoLauncher.h"
#include "LogPanel.h"
#include "MainWindow.h"
#include "S6Tree.h"
#include "ServiceTableModel.h"
#include "Session.h"
#include "backend/RemoteBackend.h"
#include "config/SystemConfig.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace sm;

namespace {

QString yaml(const QString &socket, const QString &dockerSocket) {
    return QStringLiteral("containers:\n"
                          "  - name: robot\n"
                          "    socket_path: \"%1\"\n"
                          "    services:\n"
                          "      - {id: steady, label: Steady worker}\n"
                          "      - {id: chatty, label: Chatty logger}\n"
                          "docker:\n"
                          "  socket_path: \"%2\"\n"
                          "monitor:\n"
                          "  poll_interval_ms: 300\n"
                          "api:\n"
                          "  request_timeout_ms: 3000\n")
        .arg(socket, dockerSocket);
}

// id → (label, state) as the table shows them.
QMap<QString, QPair<QString, QString>> rows(const ServiceTableModel *model) {
    QMap<QString, QPair<QString, QString>> out;
    for (int row = 0; row < model->rowCount(); ++row)
        out.insert(model->index(row, ServiceTableModel::Id).data().toString(),
                   {model->index(row, ServiceTableModel::Label).data().toString(),
                    model->index(row, ServiceTableModel::State).data().toString()});
    return out;
}

QString stateOf(const ServiceTableModel *model, const QString &id) {
    const int row = model->rowOf(id);
    return row < 0 ? QString() : model->index(row, ServiceTableModel::State).data().toString();
}

QString deathsOf(const ServiceTableModel *model, const QString &id) {
    const int row = model->rowOf(id);
    return row < 0 ? QString() : model->index(row, ServiceTableModel::Deaths).data().toString();
}

QString pidOf(const ServiceTableModel *model, const QString &id) {
    const int row = model->rowOf(id);
    return row < 0 ? QString() : model->index(row, ServiceTableModel::Pid).data().toString();
}

void saveArtifact(QWidget *w, const QString &name) {
    QDir().mkpath(SM_ARTIFACTS_DIR);
    QVERIFY(w->grab().save(QStringLiteral(SM_ARTIFACTS_DIR "/") + name));
}

} // namespace

class GuiDashboardTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        QVERIFY(m_tree.addService("steady", "#!/bin/sh\nexec sleep 100000\n"));
        S6ServiceOptions downFile;
        downFile.downFile = true;
        QVERIFY(m_tree.addService("idle", "#!/bin/sh\nexec sleep 100000\n", downFile));
        S6ServiceOptions logged;
        logged.logger = true;
        QVERIFY(m_tree.addService("crashy", "#!/bin/sh\necho crashing >&2\nexit 3\n"));
        // Its finish script gives up at the second death: s6 stops restarting it.
        S6ServiceOptions givesUp;
        givesUp.finishScript = "#!/bin/sh\nexec s6-permafailon 60 2 1-255 true\n";
        QVERIFY(m_tree.addService("givesup", "#!/bin/sh\nexit 4\n", givesUp));
        QVERIFY(m_tree.addService("chatty",
                                  "#!/bin/sh\nexec 2>&1\ni=0\nwhile :; do i=$((i+1)); "
                                  "printf '\\033[32mtick\\033[0m %s\\n' \"$i\"; sleep 0.2; done\n",
                                  logged));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        AgentProcess::Options agent;
        agent.scanDir = m_tree.scanDir();
        agent.logDir = m_tree.logDir();
        agent.rcSourceDir = m_tree.scanDir();
        QVERIFY2(m_agent.start(agent), qPrintable(m_agent.errorString()));

        QVERIFY(m_dir.isValid());
        m_configPath = m_dir.filePath("config.yml");
        QFile file(m_configPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(yaml(m_agent.socketPath(), m_dir.filePath("no-docker.sock")).toUtf8());
        file.close();
        const ConfigLoad load = loadConfigFile(m_configPath);
        QVERIFY2(load.ok(), qPrintable(load.error.toString()));
        m_config = *load.config;
    }

    void cleanupTestCase() {
        if (m_daemon) {
            QSignalSpy stopped(m_daemon.get(), &DemoLauncher::stopped);
            m_daemon->stop();
            QVERIFY(m_daemon->isRunning() ? stopped.wait(15000) : true);
        }
        m_agent.stop();
        m_tree.stop();
    }

    void localModeShowsRealStates() {
        MainWindow &w = localWindow();
        ServiceTableModel *model = w.serviceModel();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, "steady"), QString("up"), 10000);
        QCOMPARE(stateOf(model, "idle"), QString("down"));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, "crashy"), QString("crash loop"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, "givesup"), QString("failed"), 10000);
        QCOMPARE(model->index(model->rowOf("steady"), ServiceTableModel::Label).data().toString(),
                 "Steady worker");
        // Deaths in the last hour, as s6 recorded them.
        QCOMPARE(deathsOf(model, "givesup"), QString("2"));
        QCOMPARE(deathsOf(model, "steady"), QString("0"));
        QVERIFY(deathsOf(model, "crashy").toInt() >= 3);
        QVERIFY(!pidOf(model, "steady").isEmpty());
        // The container's agent shows as reachable.
        QTRY_COMPARE(w.containerModel()->index(0, 0).data(ContainerListModel::ReachableRole),
                     QVariant(true));
    }

    void restartChangesThePid() {
        MainWindow &w = localWindow();
        ServiceTableModel *model = w.serviceModel();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, "steady"), QString("up"), 10000);
        const QString before = pidOf(model, "steady");
        QVERIFY(w.selectRow("steady"));
        w.action(ControlActions::Restart)->trigger();
        auto *box = w.findChild<QMessageBox *>("confirmBox");
        QVERIFY(box);
        box->button(QMessageBox::Yes)->click();
        QTRY_VERIFY_WITH_TIMEOUT(
            !pidOf(model, "steady").isEmpty() && pidOf(model, "steady") != before, 10000);
        QCOMPARE(stateOf(model, "steady"), QString("up"));
    }

    void logPanelShowsLinesWrittenAfterItOpened() {
        MainWindow &w = localWindow();
        QTRY_VERIFY_WITH_TIMEOUT(w.serviceModel()->rowOf("chatty") >= 0, 10000);
        QVERIFY(w.selectRow("chatty"));
        LogPanel *log = w.logPanel();
        QTRY_VERIFY_WITH_TIMEOUT(log->text().contains("tick"), 10000);
        const int seen = lastTick(log->text());
        QTRY_VERIFY_WITH_TIMEOUT(lastTick(log->text()) > seen, 10000);
        QVERIFY(!log->text().contains("\x1b")); // colors rendered, codes not shown
        saveArtifact(&w, "main-window.png");
    }

    void remoteModeShowsTheSameRows() {
        m_daemon = std::make_unique<DemoLauncher>(
            QStringLiteral(SM_BIN_DIR "/system-managerd"),
            QStringList{"--config", m_configPath, "--listen", "127.0.0.1:0", "--quiet"});
        QSignalSpy ready(m_daemon.get(), &DemoLauncher::ready);
        QSignalSpy failed(m_daemon.get(), &DemoLauncher::failed);
        m_daemon->start();
        QTRY_VERIFY_WITH_TIMEOUT(ready.count() + failed.count() > 0, 20000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));

        MainWindow remote;
        Session session(&remote);
        session.connectRemote(m_daemon->url(), {});
        remote.resize(1200, 750);
        remote.show();
        MainWindow &local = localWindow();
        QTRY_VERIFY_WITH_TIMEOUT(remote.selectContainer("robot"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(remote.serviceModel()->rowCount(), 5, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(remote.serviceModel(), "crashy"), QString("crash loop"),
                                  10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(remote.serviceModel(), "givesup"), QString("failed"),
                                  10000);
        QCOMPARE(deathsOf(remote.serviceModel(), "givesup"), QString("2"));
        // The crash loop restarts once a second, so compare once both have settled.
        QTRY_COMPARE_WITH_TIMEOUT(rows(remote.serviceModel()), rows(local.serviceModel()), 10000);
        QCOMPARE(pidOf(remote.serviceModel(), "steady"), pidOf(local.serviceModel(), "steady"));
        QTRY_VERIFY_WITH_TIMEOUT(remote.linkLabel()->property("linkState").toInt() == 1, 10000);
        // Live updates arrive over the daemon's /events stream.
        auto *backend = qobject_cast<RemoteBackend *>(session.backend());
        QVERIFY(backend);
        QTRY_VERIFY_WITH_TIMEOUT(backend->isStreamingEvents(), 10000);
        QSignalSpy changes(backend, &Backend::serviceChanged);
        QVERIFY(m_tree.svc("idle", "-u"));
        QTRY_VERIFY_WITH_TIMEOUT(!changes.isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(remote.serviceModel(), "idle"), QString("up"), 10000);
        QVERIFY(m_tree.svc("idle", "-d"));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(remote.serviceModel(), "idle"), QString("down"), 10000);

        // The remote log follows live too.
        QVERIFY(remote.selectRow("chatty"));
        QTRY_VERIFY_WITH_TIMEOUT(remote.logPanel()->text().contains("tick"), 10000);
        const int seen = lastTick(remote.logPanel()->text());
        QTRY_VERIFY_WITH_TIMEOUT(lastTick(remote.logPanel()->text()) > seen, 10000);
        saveArtifact(&remote, "remote-window.png");

        // The daemon goes away: the status bar says the link is down.
        QSignalSpy stopped(m_daemon.get(), &DemoLauncher::stopped);
        m_daemon->stop();
        QVERIFY(stopped.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(remote.linkLabel()->property("linkState").toInt() == 0, 10000);
        QVERIFY(remote.linkLabel()->text().contains("Cannot reach system-managerd"));
    }

private:
    MainWindow &localWindow() {
        if (!m_local) {
            m_local = std::make_unique<MainWindow>();
            m_session = new Session(m_local.get());
            m_session->connectLocal(m_config, m_configPath);
            m_local->resize(1200, 750);
            m_local->show();
        }
        [&] { QTRY_VERIFY_WITH_TIMEOUT(m_local->selectContainer("robot"), 10000); }();
        return *m_local;
    }

    static int lastTick(const QString &text) {
        static const QRegularExpression re(QStringLiteral("tick (\\d+)\\s*$"));
        const QRegularExpressionMatch m = re.match(text);
        return m.hasMatch() ? m.captured(1).toInt() : -1;
    }

    S6Tree m_tree;
    AgentProcess m_agent;
    QTemporaryDir m_dir;
    QString m_configPath;
    SystemConfig m_config;
    std::unique_ptr<MainWindow> m_local;
    Session *m_session = nullptr;
    std::unique_ptr<DemoLauncher> m_daemon;
};

QTEST_MAIN(GuiDashboardTest)
#include "gui_dashboard.moc"

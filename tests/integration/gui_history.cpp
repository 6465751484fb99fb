// The History tab on a real stack: an s6 tree, the project's s6-agent, the built
// system-managerd with a state directory and tokens (remote mode), and LocalStack with its own
// state directory (local mode). A service killed with s6-svc -k shows as died by SIGKILL
// without anyone pressing Refresh; a restart from the dashboard shows its audit entry; a
// viewer's window shows the events and says why the audit entries are missing.
#include "HistoryModel.h"
#include "HistoryPanel.h"
#include "MainWindow.h"
#include "S6Tree.h"
#include "ServiceTableModel.h"
#include "Session.h"
#include "backend/RemoteBackend.h"
#include "config/SystemConfig.h"
#include "daemon_support.h"

#include <QAction>
#include <QDir>
#include <QJsonArray>
#include <QTabWidget>

using namespace sm;

namespace {

const QByteArray kOperatorToken = "op-secret-history-51c3";
const QByteArray kViewerToken = "wall-secret-history-8e07";

// The first row (top = newest) with this what and detail, or -1.
int rowOf(const HistoryPanel *panel, const QString &what, const QString &detail) {
    const HistoryModel *model = panel->model();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, HistoryModel::What).data().toString() == what &&
            model->index(row, HistoryModel::Detail).data().toString() == detail)
            return row;
    return -1;
}

QString dump(const HistoryPanel *panel) {
    QStringList lines{panel->message(), panel->note()};
    const HistoryModel *model = panel->model();
    for (int row = 0; row < model->rowCount(); ++row)
        lines.append(model->index(row, HistoryModel::What).data().toString() + " | " +
                     model->index(row, HistoryModel::Detail).data().toString());
    return lines.join('\n');
}

void saveArtifact(QWidget *w, const QString &name) {
    QDir().mkpath(SM_ARTIFACTS_DIR);
    QVERIFY(w->grab().save(QStringLiteral(SM_ARTIFACTS_DIR "/") + name));
}

} // namespace

class GuiHistoryTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        QVERIFY(m_tree.addService("crasher", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY(m_tree.addService("steady", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY(m_tree.waitUntilUp("crasher"));
        m_agent = std::make_unique<AgentProcess>();
        QVERIFY2(m_agent->start(agentOptions(m_tree)), qPrintable(m_agent->errorString()));
        QVERIFY(m_daemonState.isValid());
        QVERIFY(m_localState.isValid());
        QVERIFY2(m_daemon.startWithConfig(yaml(m_daemonState.path(), true)),
                 m_daemon.allStderr().constData());
        // The recorder's baseline: the agent's first answer (its reachable event) has been
        // seen, so the next change of a service is recorded as one.
        DaemonClient client(m_daemon.baseUrl());
        QVERIFY(QTest::qWaitFor(
            [&] {
                const DaemonAnswer a = client.call("GET", "/history?container=robot", {},
                                                   {{"Authorization", "Bearer " + kViewerToken}});
                for (const QJsonValue &e : a.json().value("events").toArray())
                    if (e.toObject().value("kind") == QJsonValue("reachable"))
                        return true;
                return false;
            },
            15000));
    }

    void cleanupTestCase() {
        QCOMPARE(m_daemon.stop(), 0);
        QVERIFY(m_agent->stop());
        QVERIFY(m_tree.stop());
    }

    void remoteOperatorSeesDeathsAndAudit() {
        MainWindow w;
        Session session(&w);
        session.connectRemote(QUrl(m_daemon.baseUrl()), QString::fromUtf8(kOperatorToken));
        w.resize(1200, 750);
        w.show();
        HistoryPanel *panel = openHistory(w, "crasher");
        QVERIFY(!QTest::currentTestFailed());
        // Live updates flow before the kill, so that the refresh comes from them alone.
        auto *remote = qobject_cast<RemoteBackend *>(session.backend());
        QVERIFY(remote);
        QTRY_VERIFY_WITH_TIMEOUT(remote->isStreamingEvents(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRefreshPending(), 10000);
        QVERIFY2(rowOf(panel, "died", "killed by SIGKILL") < 0, qPrintable(dump(panel)));

        QVERIFY(killWhenSettled("crasher"));
        QTRY_VERIFY2_WITH_TIMEOUT(rowOf(panel, "died", "killed by SIGKILL") >= 0,
                                  qPrintable(dump(panel)), 15000);
        QVERIFY(panel->message().isEmpty());
        QVERIFY(panel->note().isEmpty());

        // A restart from the dashboard: its audit entry, newest first, above the death.
        QTRY_COMPARE_WITH_TIMEOUT(
            w.serviceModel()
                ->index(w.serviceModel()->rowOf("crasher"), ServiceTableModel::State)
                .data()
                .toString(),
            QString("up"), 10000);
        QVERIFY(w.selectRow("crasher"));
        w.controlActions()->setConfirm(false);
        w.action(ControlActions::Restart)->trigger();
        const QString by = "by ops (operator) from 127.0.0.1: 200";
        QTRY_VERIFY2_WITH_TIMEOUT(rowOf(panel, "restart", by) >= 0, qPrintable(dump(panel)), 15000);
        QVERIFY2(rowOf(panel, "restart", by) < rowOf(panel, "died", "killed by SIGKILL"),
                 qPrintable(dump(panel)));
        QCOMPARE(panel->model()
                     ->index(rowOf(panel, "restart", by), HistoryModel::Time)
                     .data(HistoryModel::IsAuditRole),
                 QVariant(true));
        saveArtifact(&w, "history-tab.png");

        // The other service has its own history: none of crasher's rows.
        QVERIFY(w.selectRow("steady"));
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRefreshPending(), 10000);
        QVERIFY2(rowOf(panel, "died", "killed by SIGKILL") < 0, qPrintable(dump(panel)));
        QVERIFY2(rowOf(panel, "restart", by) < 0, qPrintable(dump(panel)));
    }

    void remoteViewerSeesEventsAndANote() {
        MainWindow w;
        Session session(&w);
        session.connectRemote(QUrl(m_daemon.baseUrl()), QString::fromUtf8(kViewerToken));
        w.resize(1200, 750);
        w.show();
        HistoryPanel *panel = openHistory(w, "crasher");
        QVERIFY(!QTest::currentTestFailed());
        QTRY_VERIFY2_WITH_TIMEOUT(panel->note() == "Audit entries need an operator token",
                                  qPrintable(dump(panel)), 10000);
        QVERIFY2(rowOf(panel, "died", "killed by SIGKILL") >= 0, qPrintable(dump(panel)));
        QVERIFY(panel->message().isEmpty());
        for (int row = 0; row < panel->model()->rowCount(); ++row)
            QVERIFY(!panel->model()->index(row, 0).data(HistoryModel::IsAuditRole).toBool());
    }

    void localModeWithAStateDirectory() {
        const ConfigLoad load =
            loadConfigText(yaml(m_localState.path(), false), m_localState.filePath("config.yml"));
        QVERIFY2(load.ok(), qPrintable(load.error.toString()));
        MainWindow w;
        Session session(&w);
        session.connectLocal(*load.config, "local history test");
        w.resize(1200, 750);
        w.show();
        HistoryPanel *panel = openHistory(w, "crasher");
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY(waitForLocalBaseline(session.backend()));
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRefreshPending(), 10000);
        QVERIFY2(rowOf(panel, "died", "killed by SIGKILL") < 0, qPrintable(dump(panel)));

        QVERIFY(killWhenSettled("crasher"));
        QTRY_VERIFY2_WITH_TIMEOUT(rowOf(panel, "died", "killed by SIGKILL") >= 0,
                                  qPrintable(dump(panel)), 15000);
        QVERIFY(panel->message().isEmpty());
        QVERIFY(panel->note().isEmpty());
    }

private:
    QByteArray yaml(const QString &stateDir, bool tokens) const {
        QByteArray text = "containers:\n  robot:\n    socket_path: \"" +
                          m_agent->socketPath().toUtf8() + "\"\ndocker:\n  socket_path: \"" +
                          m_daemonState.filePath("no-docker.sock").toUtf8() +
                          "\"\nstate:\n  dir: \"" + stateDir.toUtf8() + "\"\n";
        if (tokens)
            text += "api:\n  tokens:\n    - {name: ops, token: \"" + kOperatorToken +
                    "\", role: operator}\n    - {name: wall, token: \"" + kViewerToken +
                    "\", role: viewer}\n";
        return text;
    }

    // s6-svc -k once the service has run for two seconds: a kill sent while s6-supervise
    // still waits to restart it (one second after a quick death) finds no process at all.
    bool killWhenSettled(const QString &service) const {
        static const QRegularExpression up(QStringLiteral("^up \\(pid \\d+\\) (\\d+) seconds"));
        const bool settled = QTest::qWaitFor(
            [&] {
                const QRegularExpressionMatch m = up.match(m_tree.svstat(service));
                return m.hasMatch() && m.captured(1).toInt() >= 2;
            },
            10000);
        return settled && m_tree.svc(service, "-k");
    }

    // Selects the service and brings the History tab to the front.
    static HistoryPanel *openHistory(MainWindow &w, const QString &service) {
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(w.selectContainer("robot"), 10000);
            QTRY_VERIFY_WITH_TIMEOUT(w.serviceModel()->rowOf(service) >= 0, 10000);
            QVERIFY(w.selectRow(service));
        }();
        w.bottomTabs()->setCurrentWidget(w.historyPanel());
        return w.historyPanel();
    }

    // As for the daemon: the local recorder has seen the agent's first answer.
    static bool waitForLocalBaseline(Backend *backend) {
        return QTest::qWaitFor(
            [&] {
                bool answered = false;
                bool reachable = false;
                QObject context;
                HistoryQuery query;
                query.container = "robot";
                backend->history(&context, query, [&](Result<QList<HistoryEvent>> r) {
                    answered = true;
                    if (r.ok())
                        for (const HistoryEvent &e : r.value())
                            reachable = reachable || e.kind == "reachable";
                });
                return QTest::qWaitFor([&] { return answered; }, 5000) && reachable;
            },
            15000);
    }

    S6Tree m_tree;
    std::unique_ptr<AgentProcess> m_agent;
    QTemporaryDir m_daemonState;
    QTemporaryDir m_localState;
    DaemonProcess m_daemon;
};

QTEST_MAIN(GuiHistoryTest)
#include "gui_history.moc"

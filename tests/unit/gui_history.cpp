// The History tab over an in-memory Backend: events and audit entries merged newest first,
// the no-store and viewer-token messages, errors shown in the panel, refreshes on selection,
// on being shown, on Refresh and on live updates (one query per burst), and answers for a
// selection that is no longer shown never reaching the rows.
#include "FakeBackend.h"
#include "HistoryModel.h"
#include "HistoryPanel.h"
#include "LogPanel.h"
#include "MainWindow.h"
#include "ServiceTableModel.h"

#include <QApplication>
#include <QDateTime>
#include <QMessageBox>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>

using namespace sm;

namespace {

// 2026-12-02T04:10:00Z and on, a second apart.
constexpr qint64 kT0 = 1796184600000;

HistoryEvent historyEvent(qint64 id, int second, const QString &container, const QString &service,
                          const QString &kind, std::optional<int> exitCode = std::nullopt,
                          std::optional<QString> signal = std::nullopt,
                          const QString &source = "service") {
    HistoryEvent e;
    e.id = id;
    e.timeMs = kT0 + second * 1000;
    e.source = source;
    e.container = container;
    e.service = service;
    e.kind = kind;
    e.exitCode = exitCode;
    e.signal = signal;
    e.detail = kind + " (the store's sentence)";
    return e;
}

AuditEntry auditEntry(qint64 id, int second, const QString &container, const QString &service,
                      const QString &action, int status = 200,
                      std::optional<QString> token = QString("ops"),
                      const QString &role = "operator",
                      std::optional<QString> error = std::nullopt) {
    AuditEntry a;
    a.id = id;
    a.timeMs = kT0 + second * 1000;
    a.token = token;
    a.role = role;
    a.client = "192.0.2.10";
    a.method = "POST";
    a.route = "/containers/{container}/services/{service}";
    a.container = container;
    a.service = service;
    a.target = container + '/' + service;
    a.action = action;
    a.status = status;
    a.error = error;
    return a;
}

// Each row as "what | detail", top to bottom.
QStringList rows(const HistoryModel *model) {
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row)
        out.append(model->index(row, HistoryModel::What).data().toString() + " | " +
                   model->index(row, HistoryModel::Detail).data().toString());
    return out;
}

int count(const QStringList &calls, const QString &prefix) {
    int n = 0;
    for (const QString &call : calls)
        n += call.startsWith(prefix);
    return n;
}

} // namespace

class GuiHistoryTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        m_backend = std::make_unique<FakeBackend>();
        m_backend->containerList = {{"ai_worker", "/a.sock"}};
        m_backend->agents["ai_worker"].statuses = {
            makeStatus("ai_worker", "ros_bridge", true, 100),
            makeStatus("ai_worker", "planner", true, 101),
        };
        m_backend->healthValue.agents = {{"ai_worker", true}};
        // Newest first, as the store answers.
        m_backend->historyEvents = {
            historyEvent(6, 50, "ai_worker", "planner", "up"),
            historyEvent(5, 40, "ai_worker", "ros_bridge", "up"),
            historyEvent(4, 30, "ai_worker", "ros_bridge", "died", std::nullopt,
                         QString("SIGKILL")),
            historyEvent(3, 20, "ai_worker", "ros_bridge", "crash_loop_entered"),
            historyEvent(2, 10, "ai_worker", "ros_bridge", "down", 1),
        };
        m_backend->auditEntries = {
            auditEntry(2, 35, "ai_worker", "ros_bridge", "restart"),
            auditEntry(1, 15, "ai_worker", "ros_bridge", "down", 403, QString("wall"), "viewer",
                       QString("Viewer tokens cannot change anything")),
        };
    }
    void cleanup() {
        m_panel.reset();
        m_window.reset();
        m_backend.reset();
    }

    void modelMergesNewestFirstWithReadableText() {
        HistoryModel model;
        model.setEntries(m_backend->historyEvents.mid(1), m_backend->auditEntries);
        QCOMPARE(rows(&model),
                 QStringList({"up | up (the store's sentence)",
                              "restart | by ops (operator) from "
                              "192.0.2.10: 200",
                              "died | killed by SIGKILL",
                              "crash loop entered | crash_loop_entered (the store's sentence)",
                              "down | by wall (viewer) from 192.0.2.10: 403 Viewer tokens "
                              "cannot change anything",
                              "down | exit 1"}));
        // Local time, with the date.
        QCOMPARE(model.index(0, HistoryModel::Time).data().toString(),
                 QDateTime::fromMSecsSinceEpoch(kT0 + 40000)
                     .toLocalTime()
                     .toString("yyyy-MM-dd HH:mm:ss"));
        QCOMPARE(model.index(1, HistoryModel::Time).data(HistoryModel::IsAuditRole), true);
        QCOMPARE(model.index(0, HistoryModel::Time).data(HistoryModel::IsAuditRole), false);
        // Without a valid token, and Docker's own events.
        AuditEntry anonymous = auditEntry(9, 0, "ai_worker", "planner", "clear_service_logs", 401,
                                          std::nullopt, "none", QString("Missing token"));
        QCOMPARE(HistoryModel::auditDetail(anonymous),
                 "by no token (none) from 192.0.2.10: 401 Missing token");
        QCOMPARE(HistoryModel::words(anonymous.action), "clear service logs");
        QCOMPARE(
            HistoryModel::eventDetail(historyEvent(1, 0, "web", {}, "start", {}, {}, "docker")),
            "");
        QCOMPARE(
            HistoryModel::eventDetail(historyEvent(1, 0, "a", "b", "down", 0, QString("SIGTERM"))),
            "killed by SIGTERM");
    }

    void historyTabShowsTheSelectedService() {
        MainWindow &w = window();
        HistoryPanel *panel = w.historyPanel();
        QVERIFY(w.selectRow("ros_bridge"));
        // The Log tab is in front: nothing is asked yet.
        QVERIFY(!panel->isVisible());
        QCOMPARE(count(m_backend->calls, "history"), 0);

        w.bottomTabs()->setCurrentWidget(panel);
        QVERIFY(panel->isRefreshPending()); // asked on being shown
        QTRY_VERIFY(!panel->isRefreshPending());
        QVERIFY(m_backend->calls.contains("history ai_worker ros_bridge 200"));
        QVERIFY(m_backend->calls.contains("audit ai_worker ros_bridge 200"));
        QCOMPARE(rows(panel->model()),
                 QStringList({"up | up (the store's sentence)",
                              "restart | by ops (operator) from 192.0.2.10: 200",
                              "died | killed by SIGKILL",
                              "crash loop entered | crash_loop_entered (the store's sentence)",
                              "down | by wall (viewer) from 192.0.2.10: 403 Viewer tokens "
                              "cannot change anything",
                              "down | exit 1"}));
        QVERIFY(panel->message().isEmpty());
        QVERIFY(panel->note().isEmpty());

        // Another selection while shown: asked at once.
        QVERIFY(w.selectRow("planner"));
        QVERIFY(panel->isRefreshPending());
        QTRY_VERIFY(!panel->isRefreshPending());
        QCOMPARE(rows(panel->model()), QStringList({"up | up (the store's sentence)"}));

        // The Refresh button asks again.
        m_backend->historyEvents.prepend(historyEvent(7, 60, "ai_worker", "planner", "ready"));
        panel->refreshButton()->click();
        QVERIFY(panel->isRefreshPending());
        QTRY_VERIFY(!panel->isRefreshPending());
        QCOMPARE(panel->model()->rowCount(), 2);
        QCOMPARE(panel->model()->index(0, HistoryModel::What).data().toString(), "ready");

        // Back to the Log tab and to the History tab again: asked again.
        const int before = count(m_backend->calls, "history");
        w.bottomTabs()->setCurrentWidget(w.logPanel());
        QCOMPARE(count(m_backend->calls, "history"), before);
        w.bottomTabs()->setCurrentWidget(panel);
        QVERIFY(panel->isRefreshPending());
        QTRY_VERIFY(!panel->isRefreshPending());
        QCOMPARE(count(m_backend->calls, "history"), before + 1);

        // Another robot clears it.
        w.setBackend(nullptr, "none");
        QCOMPARE(panel->model()->rowCount(), 0);
    }

    void liveUpdatesRefreshOncePerBurst() {
        MainWindow &w = window();
        HistoryPanel *panel = w.historyPanel();
        w.bottomTabs()->setCurrentWidget(panel);
        QVERIFY(w.selectRow("ros_bridge"));
        QTRY_VERIFY(!panel->isRefreshPending());
        QCOMPARE(count(m_backend->calls, "history"), 1);

        // Updates about another service ask nothing.
        for (int i = 0; i < 5; ++i)
            Q_EMIT m_backend->serviceChanged(makeStatus("ai_worker", "planner", i % 2 == 0, 7));
        QVERIFY(!panel->isRefreshPending());

        // A burst about the shown one: one query, shortly after.
        m_backend->historyEvents.prepend(
            historyEvent(8, 70, "ai_worker", "ros_bridge", "died", 2, std::nullopt));
        for (int i = 0; i < 20; ++i)
            Q_EMIT m_backend->serviceChanged(makeStatus("ai_worker", "ros_bridge", i % 2 == 0, 9));
        QVERIFY(panel->isRefreshPending());
        QCOMPARE(count(m_backend->calls, "history"), 1); // not one per signal
        QTRY_VERIFY(!panel->isRefreshPending());
        QCOMPARE(count(m_backend->calls, "history"), 2);
        QCOMPARE(count(m_backend->calls, "audit"), 2);
        QCOMPARE(rows(panel->model()).first(), "died | exit 2");

        // Refreshes asked while a query is in flight: one more query once it is in (the one
        // in flight may predate what they were asked for).
        m_backend->delayMs = 150;
        panel->refresh();
        QVERIFY(panel->isRefreshPending());
        for (int i = 0; i < 5; ++i)
            panel->refresh();
        QCOMPARE(count(m_backend->calls, "history"), 3);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRefreshPending(), 5000);
        QCOMPARE(count(m_backend->calls, "history"), 4);
    }

    void noStoreSaysSo() {
        m_backend->historyError = ApiError::notImplemented("No history is kept here");
        m_backend->auditError = ApiError::notImplemented("No history is kept here");
        HistoryPanel &panel = shownPanel();
        panel.showService("ai_worker", "ros_bridge");
        QTRY_VERIFY(!panel.isRefreshPending());
        QCOMPARE(panel.message(), "This daemon keeps no history (set state.dir)");
        QCOMPARE(panel.note(), "");
        QCOMPARE(panel.model()->rowCount(), 0);

        // It is what a Backend without a store answers (LocalBackend without state.dir).
        int status = 0;
        m_backend->Backend::history(this, {}, [&status](Result<QList<HistoryEvent>> r) {
            status = r.ok() ? 200 : r.error().status;
        });
        QTRY_COMPARE(status, 501);
    }

    void viewerTokenShowsEventsAndANote() {
        m_backend->auditError = ApiError::forbidden("The audit is for operators");
        HistoryPanel &panel = shownPanel();
        panel.showService("ai_worker", "ros_bridge");
        QTRY_VERIFY(!panel.isRefreshPending());
        QCOMPARE(panel.note(), "Audit entries need an operator token");
        QVERIFY(panel.message().isEmpty());
        QCOMPARE(rows(panel.model()),
                 QStringList({"up | up (the store's sentence)", "died | killed by SIGKILL",
                              "crash loop entered | crash_loop_entered (the store's sentence)",
                              "down | exit 1"}));
        // A 401 (no token at all) says the same.
        m_backend->auditError = ApiError{401, "Missing token"};
        panel.refresh();
        QTRY_VERIFY(!panel.isRefreshPending());
        QCOMPARE(panel.note(), "Audit entries need an operator token");
    }

    void otherErrorsShowInThePanel() {
        m_backend->historyError = ApiError::timeout("The request was not answered in time");
        HistoryPanel &panel = shownPanel();
        panel.showService("ai_worker", "ros_bridge");
        QTRY_VERIFY(!panel.isRefreshPending());
        QCOMPARE(panel.message(), "History unavailable: The request was not answered in time");
        QVERIFY(panel.findChildren<QMessageBox *>().isEmpty());
        // The audit entries it could read are still shown.
        QCOMPARE(panel.model()->rowCount(), 2);

        m_backend->historyError.reset();
        m_backend->auditError = ApiError::badGateway("garbage");
        panel.refresh();
        QTRY_VERIFY(!panel.isRefreshPending());
        QCOMPARE(panel.message(), "Audit entries unavailable: garbage");
        QCOMPARE(panel.model()->rowCount(), 4);
    }

    void lateAnswerForAnOldSelectionIsIgnored() {
        m_backend->historyDelayMs["ai_worker/ros_bridge"] = 300;
        const QStringList planner{"up | up (the store's sentence)"};
        HistoryPanel &panel = shownPanel();
        QList<QStringList> applied; // the rows after each answer
        QList<QStringList> shown;
        QObject scope; // the recorders below go with it, before these lists
        connect(&panel, &HistoryPanel::refreshed, &scope,
                [&] { applied.append(rows(panel.model())); });
        panel.showService("ai_worker", "ros_bridge");
        QCOMPARE(m_backend->inFlight, 2);
        panel.showService("ai_worker", "planner"); // before ros_bridge's answers
        QTRY_VERIFY(!applied.isEmpty());
        QCOMPARE(rows(panel.model()), planner);
        // ros_bridge's answers are due later: once they are, the rows are still planner's.
        QTRY_COMPARE_WITH_TIMEOUT(m_backend->inFlight, 0, 5000);
        QCoreApplication::processEvents();
        QCOMPARE(rows(panel.model()), planner);
        QCOMPARE(applied, QList<QStringList>(applied.size(), planner));
        QCOMPARE(count(m_backend->calls, "history ai_worker ros_bridge"), 1);

        // The same through the window: a quick second click wins.
        MainWindow &w = window();
        w.bottomTabs()->setCurrentWidget(w.historyPanel());
        connect(w.historyPanel(), &HistoryPanel::refreshed, &scope,
                [&] { shown.append(rows(w.historyPanel()->model())); });
        QVERIFY(w.selectRow("ros_bridge"));
        QVERIFY(w.selectRow("planner"));
        QTRY_VERIFY(!shown.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_backend->inFlight, 0, 5000);
        QCoreApplication::processEvents();
        QCOMPARE(rows(w.historyPanel()->model()), planner);
        QCOMPARE(shown, QList<QStringList>(shown.size(), planner));
    }

    void dockerContainerHistory() {
        m_backend->historyEvents = {
            historyEvent(3, 30, "web", {}, "die", std::nullopt, std::nullopt, "docker"),
            // An agent container of the same name: not Docker's.
            historyEvent(2, 20, "web", {}, "unreachable", std::nullopt, std::nullopt, "agent"),
            historyEvent(1, 10, "web", {}, "start", std::nullopt, std::nullopt, "docker"),
        };
        AuditEntry restart = auditEntry(2, 25, {}, {}, "restart");
        restart.route = "/docker/containers/{name}";
        restart.container = "web";
        restart.target = "web";
        AuditEntry other = restart;
        other.container = "db";
        other.target = "db";
        m_backend->auditEntries = {other, restart, auditEntry(1, 5, "web", "svc", "down")};
        HistoryPanel &panel = shownPanel();
        panel.showDocker("web");
        QTRY_VERIFY(!panel.isRefreshPending());
        QVERIFY(m_backend->calls.contains("history web  200"));
        QVERIFY(m_backend->calls.contains("audit web  200"));
        QCOMPARE(rows(panel.model()),
                 QStringList(
                     {"die | ", "restart | by ops (operator) from 192.0.2.10: 200", "start | "}));

        // A Docker event about it refreshes; one about another container does not.
        Q_EMIT m_backend->dockerEvent({"db", "start", {}});
        QVERIFY(!panel.isRefreshPending());
        Q_EMIT m_backend->dockerEvent({"web", "start", {}});
        QVERIFY(panel.isRefreshPending());
        QTRY_VERIFY(!panel.isRefreshPending());
        QCOMPARE(count(m_backend->calls, "history"), 2);
    }

private:
    MainWindow &window() {
        m_window = std::make_unique<MainWindow>();
        m_window->setBackend(m_backend.get(), "test backend");
        m_window->show();
        [&] { QTRY_COMPARE(m_window->serviceModel()->rowCount(), 2); }();
        return *m_window;
    }

    HistoryPanel &shownPanel() {
        m_panel = std::make_unique<HistoryPanel>();
        m_panel->setBackend(m_backend.get());
        m_panel->show();
        return *m_panel;
    }

    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<HistoryPanel> m_panel;
};

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("system-manager-tests");
    QApplication::setApplicationName("gui_history");
    GuiHistoryTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "gui_history.moc"

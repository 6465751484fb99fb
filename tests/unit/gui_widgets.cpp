// The main window and the log panel over an in-memory Backend: selection, actions with their
// confirmation and error reporting, and the log view's follow/pause/scroll/save behaviour;
// the connect dialog remembering robots.
#include "ActionsDelegate.h"
#include "ConnectDialog.h"
#include "ContainerListModel.h"
#include "DockerTableModel.h"
#include "FakeBackend.h"
#include "LogPanel.h"
#include "MainWindow.h"
#include "ServiceTableModel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QToolButton>

using namespace sm;

class GuiWidgetsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        QSettings().remove("fleet/robots"); // the settings file outlives a run
        m_backend = std::make_unique<FakeBackend>();
        m_backend->containerList = {{"ai_worker", "/a.sock"}};
        m_backend->agents["ai_worker"].statuses = {
            makeStatus("ai_worker", "ros_bridge", true, 100),
            makeStatus("ai_worker", "planner", true, 101),
        };
        m_backend->healthValue.agents = {{"ai_worker", true}};
    }
    void cleanup() {
        m_window.reset();
        m_backend.reset();
    }

    void selectingAServiceFollowsItsLog() {
        MainWindow &w = window();
        QVERIFY(w.selectRow("planner"));
        QTRY_COMPARE(m_backend->streams.size(), 1);
        QCOMPARE(w.logPanel()->source().name, "planner");
        Q_EMIT m_backend->streams.at(0)->line("\x1b[31mplanner started\x1b[0m");
        QTRY_COMPARE(w.logPanel()->text(), "planner started");
        // Selecting another service closes the previous stream.
        QVERIFY(w.selectRow("ros_bridge"));
        QTRY_VERIFY(m_backend->streams.at(0).isNull());
        QTRY_COMPARE(m_backend->streams.size(), 2);
    }

    void restartAsksFirstThenActs() {
        MainWindow &w = window();
        QVERIFY(w.selectRow("ros_bridge"));
        w.action(ControlActions::Restart)->trigger();
        auto *box = w.findChild<QMessageBox *>("confirmBox");
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(m_backend->controlCalls.isEmpty()); // nothing before the answer
        box->button(QMessageBox::Yes)->click();
        QTRY_COMPARE(m_backend->controlCalls, QStringList({"ai_worker/ros_bridge:restart"}));
        QTRY_VERIFY(w.statusBar()->currentMessage().startsWith("Restarted"));

        // Cancel does nothing.
        w.action(ControlActions::Stop)->trigger();
        box = w.findChild<QMessageBox *>("confirmBox");
        QVERIFY(box);
        box->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!w.findChild<QMessageBox *>("confirmBox"));
        QCOMPARE(m_backend->controlCalls.size(), 1);
    }

    void multiSelectStartsEach() {
        MainWindow &w = window();
        w.serviceView()->selectAll();
        w.action(ControlActions::Start)->trigger(); // starting never asks
        QTRY_COMPARE(m_backend->controlCalls.size(), 2);
        QVERIFY(m_backend->controlCalls.contains("ai_worker/planner:up"));
        QVERIFY(m_backend->controlCalls.contains("ai_worker/ros_bridge:up"));
    }

    void failedActionShowsTheDaemonsMessage() {
        MainWindow &w = window();
        w.controlActions()->setConfirm(false);
        m_backend->controlError = ApiError{409, "Service 'ros_bridge' is not supervised", {}};
        QVERIFY(w.selectRow("ros_bridge"));
        QTest::keySequence(&w, QKeySequence(QStringLiteral("Ctrl+D")));
        QTRY_VERIFY(w.findChild<QMessageBox *>("actionErrorBox"));
        QVERIFY(w.findChild<QMessageBox *>("actionErrorBox")->text().contains("is not supervised"));
        QVERIFY(w.statusBar()->currentMessage().contains("Service 'ros_bridge' is not supervised"));
        QCOMPARE(m_backend->controlCalls, QStringList({"ai_worker/ros_bridge:down"}));
    }

    void unreachableAgentShowsBanner() {
        m_backend->agents["ai_worker"].error =
            ApiError{503, "Agent for container 'ai_worker' is unreachable: connection refused", {}};
        MainWindow w;
        w.setBackend(m_backend.get(), "test");
        w.show();
        QTRY_COMPARE(w.containerModel()->rowCount(), 2);
        QTRY_VERIFY(w.findChild<QLabel *>() &&
                    w.serviceModel()->lastError().contains("unreachable"));
        QTRY_VERIFY(w.statusBar()->currentMessage().contains("unreachable"));
    }

    void logFallsBackToCursorPolling() {
        m_backend->followError = ApiError{501, "no live logs here", QJsonValue::Null};
        m_backend->logText["ai_worker/planner"] = "one\ntwo\n";
        LogPanel panel;
        panel.setBackend(m_backend.get());
        panel.showService("ai_worker", "planner");
        QTRY_COMPARE(panel.text(), "one\ntwo");
        QVERIFY(!panel.isLive());
        m_backend->logText["ai_worker/planner"] += "three\n";
        QTRY_VERIFY_WITH_TIMEOUT(panel.text() == "one\ntwo\nthree", 5000);
    }

    // A long log polled by cursor starts at its tail, not at byte 0 (which would show the
    // oldest text first and then flood the panel with the rest).
    void logPollingStartsAtTheTail() {
        m_backend->followError = ApiError{501, "no live logs here", QJsonValue::Null};
        QString text;
        for (int i = 0; i < 5000; ++i)
            text += QStringLiteral("old-%1\n").arg(i);
        m_backend->logText["ai_worker/planner"] = text;
        m_backend->maxAnswerBytes = 4096;
        LogPanel panel;
        panel.setBackend(m_backend.get());
        panel.showService("ai_worker", "planner");
        QTRY_VERIFY(!panel.text().isEmpty());
        const QStringList first = panel.text().split('\n');
        QVERIFY(first.size() <= 1000);
        QCOMPARE(first.last(), QString("old-4999"));
        m_backend->logText["ai_worker/planner"] += "new-1\n";
        QTRY_VERIFY_WITH_TIMEOUT(panel.text().endsWith("old-4999\nnew-1"), 5000);
        QCOMPARE(panel.text().split('\n').size(), first.size() + 1);
    }

    void emptyingTheLogFileAsksFirst() {
        LogPanel panel;
        panel.setBackend(m_backend.get());
        auto *button = panel.findChild<QToolButton *>("emptyLogFile");
        QVERIFY(button);
        QVERIFY(!button->isEnabled()); // nothing shown yet
        panel.showDocker("web");
        QVERIFY(!button->isEnabled());
        panel.showService("ai_worker", "planner");
        QVERIFY(button->isEnabled());
        button->click();
        auto *box = panel.findChild<QMessageBox *>("confirmEmptyLog");
        QVERIFY(box);
        QVERIFY(m_backend->clearLogCalls.isEmpty()); // nothing before the answer
        box->button(QMessageBox::Yes)->click();
        QTRY_COMPARE(m_backend->clearLogCalls, QStringList{"ai_worker/planner"});
    }

    void logDockerPollingSkipsSeenLines() {
        m_backend->followError = ApiError{501, "no live logs here", QJsonValue::Null};
        m_backend->cursorSupported = false;
        m_backend->logText["docker/web"] = "t1 a\nt2 b\n";
        LogPanel panel;
        panel.setBackend(m_backend.get());
        panel.showDocker("web");
        QTRY_COMPARE(panel.text(), "t1 a\nt2 b");
        m_backend->logText["docker/web"] = "t2 b\nt3 c\n";
        QTRY_VERIFY_WITH_TIMEOUT(panel.text() == "t1 a\nt2 b\nt3 c", 5000);
    }

    void logPanelPauseColorsFindSave() {
        LogPanel panel;
        panel.setBackend(m_backend.get());
        panel.showService("ai_worker", "planner");
        QTRY_COMPARE(m_backend->streams.size(), 1);
        LogStream *stream = m_backend->streams.at(0);
        Q_EMIT stream->line("\x1b[32mgreen\x1b[0m line");
        QTRY_COMPARE(panel.text(), "green line");
        const QTextBlock block = panel.view()->document()->firstBlock();
        QCOMPARE(block.begin().fragment().charFormat().foreground().color(), ansiColor(2));

        panel.setPaused(true);
        Q_EMIT stream->line("held");
        QCOMPARE(panel.pendingLines(), 1);
        QCOMPARE(panel.text(), "green line");
        panel.setPaused(false);
        QCOMPARE(panel.text(), "green line\nheld");

        panel.setColorsEnabled(false);
        QCOMPARE(panel.text(), "green line\nheld");
        QVERIFY(!panel.view()
                     ->document()
                     ->firstBlock()
                     .begin()
                     .fragment()
                     .charFormat()
                     .foreground()
                     .color()
                     .isValid() ||
                panel.view()
                        ->document()
                        ->firstBlock()
                        .begin()
                        .fragment()
                        .charFormat()
                        .foreground()
                        .color() != ansiColor(2));

        QVERIFY(panel.findNext("held"));
        QCOMPARE(panel.view()->textCursor().selectedText(), "held");
        QVERIFY(panel.findNext("green")); // wraps around
        QVERIFY(!panel.findNext("absent"));
        panel.copy(); // the selection ("green" from the last find)
        QCOMPARE(QApplication::clipboard()->text(), "green");
        panel.view()->setTextCursor(QTextCursor(panel.view()->document()));
        panel.copy(); // nothing selected: the whole log
        QCOMPARE(QApplication::clipboard()->text(), "green line\nheld");

        QTemporaryDir dir;
        QVERIFY(panel.saveTo(dir.filePath("out.log")));
        QFile file(dir.filePath("out.log"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), "green line\nheld\n");
        QSignalSpy errors(&panel, &LogPanel::errorOccurred);
        QVERIFY(!panel.saveTo(dir.filePath("missing/dir/out.log")));
        QCOMPARE(errors.count(), 1);
    }

    void logPanelIsBoundedAndKeepsTheReadersPlace() {
        LogPanel panel;
        panel.resize(600, 300);
        panel.show();
        panel.setBackend(m_backend.get());
        panel.showService("ai_worker", "planner");
        QTRY_COMPARE(m_backend->streams.size(), 1);
        LogStream *stream = m_backend->streams.at(0);
        QSignalSpy shown(&panel, &LogPanel::linesShown);
        for (int i = 0; i < LogPanel::maxLines + 500; ++i)
            Q_EMIT stream->line(QString("line %1").arg(i));
        QVERIFY(shown.wait(2000));
        QCOMPARE(panel.view()->document()->blockCount(), LogPanel::maxLines);
        QCOMPARE(panel.view()->document()->lastBlock().text(),
                 QString("line %1").arg(LogPanel::maxLines + 499));
        QScrollBar *bar = panel.view()->verticalScrollBar();
        QCOMPARE(bar->value(), bar->maximum()); // followed the end

        bar->setValue(bar->maximum() / 2); // the reader scrolls up
        const int reading = bar->value();
        Q_EMIT stream->line("newer");
        QVERIFY(shown.wait(2000));
        QCOMPARE(bar->value(), reading);
        bar->setValue(bar->maximum()); // back at the end: follows again
        Q_EMIT stream->line("newest");
        QVERIFY(shown.wait(2000));
        QCOMPARE(bar->value(), bar->maximum());
    }

    void findShortcutFocusesTheLogSearch() {
        MainWindow &w = window();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keySequence(&w, QKeySequence::Find);
        auto *edit = qobject_cast<QLineEdit *>(QApplication::focusWidget());
        QVERIFY(edit);
        QCOMPARE(edit->placeholderText(), "Find in log (Ctrl+F)");
    }

    void filterAndDockerView() {
        m_backend->dockerList = {{"id1", "web", "running", "tiny", "2026-11-26T10:00:00Z"}};
        MainWindow &w = window();
        w.setFilterText("planner");
        QCOMPARE(w.serviceView()->model()->rowCount(), 1);
        w.setFilterText({});
        QVERIFY(w.selectDocker());
        QTRY_COMPARE(w.dockerView()->model()->rowCount(), 1);
        QVERIFY(w.dockerView()->isVisible());
        QVERIFY(w.selectRow("web"));
        QCOMPARE(w.logPanel()->source().kind, LogFollower::Source::Docker);
        w.controlActions()->setConfirm(false);
        w.action(ControlActions::Restart)->trigger();
        QTRY_COMPARE(m_backend->controlCalls, QStringList({"docker/web:restart"}));

        // The row's own Stop button.
        QTableView *view = w.dockerView();
        const QModelIndex cell = view->model()->index(0, DockerTableModel::Actions);
        auto *delegate =
            qobject_cast<ActionsDelegate *>(view->itemDelegateForColumn(cell.column()));
        QVERIFY(delegate);
        QStyleOptionViewItem option;
        option.initFrom(view->viewport());
        option.rect = view->visualRect(cell);
        const QList<QRect> buttons = delegate->buttonRects(option);
        QCOMPARE(buttons.size(), 3);
        view->clearSelection();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, buttons.at(1).center());
        QTRY_COMPARE(m_backend->controlCalls.size(), 2);
        QCOMPARE(m_backend->controlCalls.at(1), "docker/web:stop");
    }

    void switchingBackendsShowsTheNewRobot() {
        MainWindow &w = window();
        QVERIFY(w.selectRow("planner"));
        QTRY_COMPARE(m_backend->streams.size(), 1);
        m_backend->delayMs = 200; // answers still in flight when the switch happens
        w.serviceModel()->refresh();
        FakeBackend other;
        other.containerList = {{"arm", "/arm.sock"}};
        other.agents["arm"].statuses = {makeStatus("arm", "gripper", true, 42)};
        w.setBackend(&other, "other robot");
        QTRY_COMPARE(w.containerModel()->rowCount(), 2);
        QTRY_COMPARE(w.serviceModel()->rowCount(), 1);
        QCOMPARE(w.serviceModel()->statusAt(0).service, "gripper");
        QTRY_VERIFY(m_backend->streams.at(0).isNull()); // the old log stream is closed
        QCOMPARE(w.logPanel()->source().kind, LogFollower::Source::None);
        QTRY_COMPARE(m_backend->inFlight, 0);
        QCOMPARE(w.serviceModel()->statusAt(0).service, "gripper"); // stale answers dropped
        w.setBackend(nullptr, "none");
    }

    void connectDialogRemembersRobots() {
        QCOMPARE(ConnectDialog::normalizeUrl("robot:8081").toString(), "http://robot:8081");
        QCOMPARE(ConnectDialog::normalizeUrl(" https://r.local:9/ ").toString(),
                 "https://r.local:9");
        QVERIFY(ConnectDialog::normalizeUrl("ftp://robot").isEmpty());
        QVERIFY(ConnectDialog::normalizeUrl("").isEmpty());
        QSettings().remove("connect/recentRobots");
        for (int i = 0; i < ConnectDialog::maxRecent + 2; ++i)
            ConnectDialog::rememberRobot(QUrl(QString("http://robot%1:8081").arg(i)));
        ConnectDialog::rememberRobot(QUrl("http://robot3:8081"));
        const QStringList recent = ConnectDialog::recentRobots();
        QCOMPARE(recent.size(), ConnectDialog::maxRecent);
        QCOMPARE(recent.first(), "http://robot3:8081");
        QCOMPARE(recent.count("http://robot3:8081"), 1);

        // Accepting the dialog asks the window's owner to connect.
        MainWindow &w = window();
        QSignalSpy requested(&w, &MainWindow::connectRequested);
        auto *dialog = new ConnectDialog(&w);
        dialog->setUrl("other-robot:8081");
        dialog->accept();
        QCOMPARE(ConnectDialog::recentRobots().first(), "http://other-robot:8081");
        delete dialog;
        const auto actions = w.findChildren<QAction *>();
        QAction *connectAction = nullptr;
        for (QAction *a : actions)
            if (a->text().contains("Connect"))
                connectAction = a;
        QVERIFY(connectAction);
        connectAction->trigger();
        auto *open = w.findChild<ConnectDialog *>();
        QVERIFY(open);
        open->setUrl("http://robot9:8081");
        open->accept();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(0).toUrl().toString(), "http://robot9:8081");
    }

private:
    MainWindow &window() {
        m_window = std::make_unique<MainWindow>();
        m_window->setBackend(m_backend.get(), "test backend");
        m_window->show();
        [&] { QTRY_COMPARE(m_window->serviceModel()->rowCount(), 2); }();
        return *m_window;
    }

    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<MainWindow> m_window;
};

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("system-manager-tests");
    QApplication::setApplicationName("gui_widgets");
    GuiWidgetsTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "gui_widgets.moc"

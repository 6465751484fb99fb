// `system-manager --demo` as the app wires it: Session starts the built system-managerd
// --demo as a child, connects a RemoteBackend to the address it prints, and stops it (and so
// its s6 tree) on shutdown. Also takes the screenshot people see first.
#include "DemoLauncher.h"
#include "LogPanel.h"
#include "MainWindow.h"
#include "ServiceTableModel.h"
#include "Session.h"

#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableView>
#include <QTest>

using namespace sm;

class GuiDemoTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listeningLine_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("url");
        QTest::addRow("loopback") << "listening on http://127.0.0.1:40123"
                                  << "http://127.0.0.1:40123";
        QTest::addRow("wildcard") << "system-managerd: listening on http://0.0.0.0:8081"
                                  << "http://127.0.0.1:8081";
        QTest::addRow("other") << "demo: started 4 services"
                               << "";
        QTest::addRow("no port") << "listening on http://host"
                                 << "";
    }
    void listeningLine() {
        QFETCH(QString, line);
        QFETCH(QString, url);
        QCOMPARE(DemoLauncher::parseListeningLine(line).toString(), url);
    }

    void demoStackEndToEnd() {
        MainWindow window;
        Session session(&window);
        session.startDemo(QStringLiteral(SM_BIN_DIR "/system-managerd"));
        window.resize(1200, 750);
        window.show();
        QVERIFY(session.demo());
        QTRY_VERIFY_WITH_TIMEOUT(!session.demo()->url().isEmpty(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(window.selectContainer("demo"), 10000);
        ServiceTableModel *model = window.serviceModel();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() >= 4, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            model->rowOf("crashy") >= 0 &&
                model->index(model->rowOf("crashy"), ServiceTableModel::State).data().toString() ==
                    "crash loop",
            10000);
        QVERIFY(window.selectRow("chatter"));
        // SM_SCREENSHOT_LOG_LINES waits for a fuller log (docs/screenshot.png is taken so).
        const int lines = std::max(4, qEnvironmentVariableIntValue("SM_SCREENSHOT_LOG_LINES"));
        QTRY_VERIFY_WITH_TIMEOUT(window.logPanel()->view()->document()->blockCount() >= lines,
                                 4000 * lines);
        QTRY_VERIFY_WITH_TIMEOUT(window.linkLabel()->property("linkState").toInt() == 1, 10000);
        QDir().mkpath(SM_ARTIFACTS_DIR);
        QVERIFY(window.grab().save(QStringLiteral(SM_ARTIFACTS_DIR "/demo-window.png")));

        bool stopped = false;
        session.shutdown([&] { stopped = true; });
        QTRY_VERIFY_WITH_TIMEOUT(stopped, 15000);
        QVERIFY(!session.demo()->isRunning());
    }
};

QTEST_MAIN(GuiDemoTest)
#include "gui_demo.moc"

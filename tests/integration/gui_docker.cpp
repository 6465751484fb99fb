// The Docker view over a real Engine API (podman's service): the list with states, the live
// log of a container, and restart / stop from the toolbar reaching the container.
#include "ContainerListModel.h"
#include "DockerTableModel.h"
#include "LogPanel.h"
#include "MainWindow.h"
#include "PodmanService.h"
#include "Session.h"
#include "config/SystemConfig.h"

#include <QAction>
#include <QDir>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QTest>

using namespace sm;

namespace {
QString cell(const DockerTableModel *model, const QString &name, int column) {
    const int row = model->rowOf(name);
    return row < 0 ? QString() : model->index(row, column).data().toString();
}
} // namespace

class GuiDockerTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        if (!PodmanService::installed())
            QSKIP("podman is not installed (apt-get install podman runc busybox-static)");
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        QVERIFY(!m_podman
                     .run("web", "trap 'exit 0' TERM; echo \"boot $$\"; i=0; while :; do "
                                 "i=$((i+1)); echo \"request $i\"; sleep 0.3; done")
                     .isEmpty());
        QVERIFY(!m_podman.run("batch", "echo done; exit 4").isEmpty());
        QCOMPARE(m_podman.wait("batch"), 4);
    }

    void cleanupTestCase() { m_podman.stop(); }

    void dockerViewListsFollowsAndControls() {
        const QByteArray yaml = QStringLiteral("containers:\n"
                                               "  - name: robot\n"
                                               "    socket_path: \"%1\"\n"
                                               "docker:\n"
                                               "  socket_path: \"%2\"\n")
                                    .arg(m_podman.root() + "/no-agent.sock", m_podman.socketPath())
                                    .toUtf8();
        const ConfigLoad load = loadConfigText(yaml, m_podman.root() + "/config.yml");
        QVERIFY2(load.ok(), qPrintable(load.error.toString()));
        MainWindow window;
        Session session(&window);
        session.connectLocal(*load.config, "docker test");
        window.resize(1200, 750);
        window.show();

        QTRY_VERIFY_WITH_TIMEOUT(window.selectDocker(), 10000);
        ContainerListModel *containers = window.containerModel();
        QTRY_COMPARE_WITH_TIMEOUT(
            containers->index(containers->rowOf(ContainerListModel::DockerEntry), 0)
                .data(ContainerListModel::ReachableRole),
            QVariant(true), 10000);
        DockerTableModel *model = window.dockerModel();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf("web") >= 0 && model->rowOf("batch") >= 0, 10000);
        QCOMPARE(cell(model, "web", DockerTableModel::State), "running");
        QCOMPARE(cell(model, "web", DockerTableModel::Image), "localhost/tiny:latest");
        QTRY_VERIFY(cell(model, "web", DockerTableModel::Status).startsWith("Up"));
        QCOMPARE(cell(model, "batch", DockerTableModel::State), "exited");
        QVERIFY2(cell(model, "batch", DockerTableModel::Status).startsWith("Exited (4)"),
                 qPrintable(cell(model, "batch", DockerTableModel::Status)));

        // Its log follows live.
        QVERIFY(window.selectRow("web"));
        LogPanel *log = window.logPanel();
        QTRY_VERIFY_WITH_TIMEOUT(log->text().contains("request"), 10000);
        const int before = lastRequest(log->text());
        QTRY_VERIFY_WITH_TIMEOUT(lastRequest(log->text()) > before, 10000);
        QDir().mkpath(SM_ARTIFACTS_DIR);
        QVERIFY(window.grab().save(QStringLiteral(SM_ARTIFACTS_DIR "/docker-window.png")));

        // Restart, confirmed: the container boots again (a second "boot" line).
        window.action(ControlActions::Restart)->trigger();
        auto *box = window.findChild<QMessageBox *>("confirmBox");
        QVERIFY(box);
        box->button(QMessageBox::Yes)->click();
        QTRY_VERIFY_WITH_TIMEOUT(log->text().count("boot ") >= 2 || bootsInLog("web") >= 2, 20000);

        // Stop without asking: the row turns exited.
        window.controlActions()->setConfirm(false);
        window.action(ControlActions::Stop)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, "web", DockerTableModel::State), QString("exited"),
                                  20000);
    }

private:
    static int lastRequest(const QString &text) {
        static const QRegularExpression re(QStringLiteral("request (\\d+)\\s*$"));
        const QRegularExpressionMatch m = re.match(text);
        return m.hasMatch() ? m.captured(1).toInt() : -1;
    }

    int bootsInLog(const QString &name) {
        QString out;
        m_podman.podman({"logs", name}, &out);
        return int(out.count("boot "));
    }

    PodmanService m_podman;
};

QTEST_MAIN(GuiDockerTest)
#include "gui_docker.moc"

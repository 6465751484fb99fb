// The Connect dialog's Fleet tab: building, checking, remembering, opening and saving a
// fleet, and that no token ever reaches the settings.
#include "ConnectDialog.h"
#include "FleetEditor.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace sm;

namespace {

// A row added the way a user does it: Add, type the name, Enter. The other cells are set
// directly (no editor is open on them).
bool addRobot(ConnectDialog &dialog, const QStringList &cells) {
    QTableWidget *table = dialog.fleetTable();
    dialog.findChild<QPushButton *>("addRobot")->click();
    const int row = table->rowCount() - 1;
    const QModelIndex name = table->model()->index(row, FleetEditor::Name);
    QWidget *editor = table->indexWidget(name);
    if (!editor)
        return false;
    QTest::keyClicks(editor, cells.value(0));
    QTest::keyClick(editor, Qt::Key_Return); // commits and closes from a queued call
    if (!QTest::qWaitFor([&] { return !table->indexWidget(name); }))
        return false;
    table->item(row, FleetEditor::Address)->setText(cells.value(1));
    table->item(row, FleetEditor::TokenFile)->setText(cells.value(2));
    return table->item(row, FleetEditor::Name)->text() == cells.value(0);
}

// Clicks `button`, then picks `path` in the file chooser it opened, as a user would.
bool choose(QWidget *dialog, const char *button, const char *name, const QString &path) {
    dialog->findChild<QPushButton *>(button)->click();
    for (QFileDialog *chooser : dialog->findChildren<QFileDialog *>(name)) {
        if (!chooser->isVisible())
            continue;
        chooser->selectFile(path);
        static_cast<QDialog *>(chooser)->accept(); // QFileDialog's own accept() is protected
        return true;
    }
    return false;
}

bool writeFile(const QString &path, const QByteArray &data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QString errorText(const ConnectDialog &dialog) {
    const auto *label = dialog.findChild<QLabel *>("connectError");
    return label && !label->isHidden() ? label->text() : QString();
}

} // namespace

class GuiConnectDialogTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { QSettings().remove("fleet/robots"); } // the settings file outlives a run

    void fleetTabConnectsAndIsRemembered() {
        ConnectDialog dialog;
        dialog.show();
        QCOMPARE(dialog.fleetTable()->rowCount(), 0);
        QCOMPARE(dialog.tabs()->count(), 2);
        QCOMPARE(dialog.tabs()->tabText(dialog.tabs()->currentIndex()), "Robot");
        dialog.showFleetTab();
        QCOMPARE(dialog.tabs()->tabText(dialog.tabs()->currentIndex()), "Fleet");
        QVERIFY(addRobot(dialog, {"arm", "arm:8081/", "/tokens/arm.token"}));
        QVERIFY(addRobot(dialog, {"base", " https://base.local:8443 ", ""}));
        QVERIFY(addRobot(dialog, {"gone", "gone:1", ""}));
        dialog.fleetTable()->selectRow(2);
        dialog.findChild<QPushButton *>("removeRobot")->click();
        QPushButton *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QCOMPARE(ok->text(), "Connect");
        ok->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.choice(), ConnectDialog::Choice::Fleet);
        const QList<FleetRobot> fleet{{"arm", QUrl("http://arm:8081"), "/tokens/arm.token"},
                                      {"base", QUrl("https://base.local:8443"), ""}};
        QCOMPARE(dialog.fleet(), fleet);
        QCOMPARE(ConnectDialog::rememberedFleet(), fleet);

        ConnectDialog next;
        QCOMPARE(next.fleet(), fleet);
        QCOMPARE(next.fleetTable()->item(0, FleetEditor::Address)->text(), "http://arm:8081");
        QCOMPARE(next.fleetTable()->item(0, FleetEditor::TokenFile)->text(), "/tokens/arm.token");
        next.setUrl("robot:8081");
        next.accept(); // the Robot tab
        QCOMPARE(next.choice(), ConnectDialog::Choice::Robot);
        QCOMPARE(next.url().toString(), "http://robot:8081");
    }

    void fleetTabRefusesBadRows_data() {
        QTest::addColumn<QList<QStringList>>("rows");
        QTest::addColumn<QString>("error");
        QTest::addRow("no rows") << QList<QStringList>{} << "Add at least one robot to the fleet";
        QTest::addRow("empty name")
            << QList<QStringList>{{"arm", "arm:1"}, {"", "b:1"}} << "Row 2 has no name";
        QTest::addRow("blank name") << QList<QStringList>{{"  ", "b:1"}} << "Row 1 has no name";
        QTest::addRow("duplicate name")
            << QList<QStringList>{{"arm", "a:1"}, {"base", "b:1"}, {"arm", "c:1"}}
            << "Row 3: the name 'arm' is already used by row 1";
        QTest::addRow("bad url") << QList<QStringList>{{"arm", "a:1"}, {"cam", "ftp://cam"}}
                                 << "Row 2 (cam): 'ftp://cam' is not an address such as "
                                    "http://robot:8081";
        QTest::addRow("no url") << QList<QStringList>{{"arm", ""}} << "Row 1 (arm) has no address";
    }
    void fleetTabRefusesBadRows() {
        QFETCH(QList<QStringList>, rows);
        QFETCH(QString, error);
        ConnectDialog dialog;
        dialog.show();
        dialog.showFleetTab();
        for (const QStringList &row : rows)
            QVERIFY(addRobot(dialog, row));
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(accepted.count(), 0);
        QVERIFY(dialog.isVisible());
        QCOMPARE(errorText(dialog), error);
        QVERIFY(ConnectDialog::rememberedFleet().isEmpty());
        // Saving such rows is refused too, before any file is chosen.
        dialog.findChild<QPushButton *>("saveFleetFile")->click();
        QVERIFY(!dialog.findChild<QFileDialog *>());
        QCOMPARE(errorText(dialog), error);
        dialog.tabs()->setCurrentIndex(0);
        QCOMPARE(errorText(dialog), QString()); // the error was about the other tab
    }

    void connectDialogNeverStoresTokens() {
        const QString secret = QStringLiteral("s3cret-robot-token");
        for (bool fleet : {false, true}) {
            ConnectDialog dialog;
            dialog.setUrl("robot:8081");
            QLineEdit *token = nullptr;
            for (QLineEdit *edit : dialog.findChildren<QLineEdit *>())
                if (edit->echoMode() == QLineEdit::Password)
                    token = edit;
            QVERIFY(token);
            QTest::keyClicks(token, secret);
            QCOMPARE(dialog.token(), secret);
            dialog.setFleet({{"arm", QUrl("http://arm:8081"), "/tokens/arm.token"}});
            if (fleet)
                dialog.showFleetTab();
            dialog.accept();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        QSettings settings;
        settings.sync();
        for (const QString &key : settings.allKeys()) {
            const QVariant value = settings.value(key);
            const QString text = QString::fromUtf8(QJsonDocument::fromVariant(value).toJson()) +
                                 value.toString() + value.toStringList().join(' ');
            QVERIFY2(!text.contains(secret), qPrintable(key));
        }
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray raw = file.readAll();
        QVERIFY(raw.contains("http://robot:8081")); // the file is the one written to
        QVERIFY(!raw.contains(secret.toUtf8()));
        QCOMPARE(ConnectDialog::rememberedFleet().size(), 1);
    }

    void fleetFileOpensSavesAndPicksTokens() {
        QTemporaryDir dir;
        const QString good = dir.filePath("fleet.yml");
        const QString bad = dir.filePath("bad.yml");
        QVERIFY(writeFile(good, "robots:\n"
                                "  - {name: arm, url: arm:8081, token_file: arm.token}\n"
                                "  - {name: base, url: https://base:8443/}\n"));
        QVERIFY(writeFile(bad, "robots:\n  - name: a\n    url: ftp://a\n"));
        QVERIFY(writeFile(dir.filePath("base.token"), "t\n"));
        ConnectDialog dialog;
        dialog.show();
        dialog.showFleetTab();

        QVERIFY(choose(&dialog, "openFleetFile", "openFleetFileDialog", good));
        QList<FleetRobot> fleet{{"arm", QUrl("http://arm:8081"), dir.filePath("arm.token")},
                                {"base", QUrl("https://base:8443"), ""}};
        QCOMPARE(dialog.fleet(), fleet);
        QCOMPARE(errorText(dialog), QString());

        QVERIFY(choose(&dialog, "openFleetFile", "openFleetFileDialog", bad));
        QCOMPARE(errorText(dialog), bad + ":3:10: robots[0].url 'ftp://a' is not an http(s) "
                                          "address such as http://robot:8081");
        QCOMPARE(dialog.fleet(), fleet); // the table is kept

        // The token file of the selected row.
        QVERIFY(!dialog.findChild<QPushButton *>("pickTokenFile")->isEnabled());
        dialog.fleetTable()->selectRow(1);
        QVERIFY(choose(&dialog, "pickTokenFile", "tokenFileDialog", dir.filePath("base.token")));
        fleet[1].tokenFile = dir.filePath("base.token");
        QCOMPARE(dialog.fleet(), fleet);

        const QString saved = dir.filePath("saved.yml");
        QVERIFY(choose(&dialog, "saveFleetFile", "saveFleetFileDialog", saved));
        QCOMPARE(errorText(dialog), QString());
        const FleetLoad load = loadFleetFile(saved);
        QVERIFY2(load.ok(), qPrintable(load.error.toString()));
        QCOMPARE(*load.robots, fleet);
    }
};

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("system-manager-tests");
    QApplication::setApplicationName("gui_connect_dialog");
    GuiConnectDialogTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "gui_connect_dialog.moc"

// The fleet file: what loads, what fails and where, and that saving then loading gives back
// the same robots.
#include "config/FleetFile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sm;

namespace {

FleetLoad load(const QByteArray &yaml) {
    return loadFleetText(yaml, QStringLiteral("/site/fleet.yml"));
}

bool writeFile(const QString &path, const QByteArray &data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

} // namespace

class FleetFileTest final : public QObject {
    Q_OBJECT
private slots:
    void threeRobots() {
        const auto r = load("robots:\n"
                            "  - name: arm\n"
                            "    url: arm:8081\n"
                            "    token_file: tokens/arm.token\n"
                            "  - name: base\n"
                            "    url: https://base.local:8443/\n"
                            "    token_file: /etc/sm/base.token\n"
                            "  - name: camera\n"
                            "    url: http://camera:8081\n");
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        QCOMPARE(*r.robots, (QList<FleetRobot>{
                                {"arm", QUrl("http://arm:8081"), "/site/tokens/arm.token"},
                                {"base", QUrl("https://base.local:8443"), "/etc/sm/base.token"},
                                {"camera", QUrl("http://camera:8081"), ""},
                            }));
        QVERIFY(r.warnings.isEmpty());
    }

    void urls_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("url"); // empty: rejected
        QTest::addRow("host and port") << "robot:8081"
                                       << "http://robot:8081";
        QTest::addRow("trailing slash") << "http://robot:8081/"
                                        << "http://robot:8081";
        QTest::addRow("https kept") << "https://robot:8443/"
                                    << "https://robot:8443";
        QTest::addRow("spaces") << " robot:8081 "
                                << "http://robot:8081";
        QTest::addRow("path kept") << "http://gw/robot/"
                                   << "http://gw/robot";
        QTest::addRow("query dropped") << "http://robot:8081/?x=1#y"
                                       << "http://robot:8081";
        QTest::addRow("ftp") << "ftp://robot"
                             << "";
        QTest::addRow("no host") << "http://:8081"
                                 << "";
        QTest::addRow("blank") << "  "
                               << "";
    }
    void urls() {
        QFETCH(QString, text);
        QFETCH(QString, url);
        QCOMPARE(normalizeDaemonUrl(text).toString(), url);
        const auto r = load("robots:\n  - name: a\n    url: '" + text.toUtf8() + "'\n");
        if (url.isEmpty()) {
            QVERIFY(!r.ok());
            QVERIFY2(r.error.message.contains("robots[0].url"), qPrintable(r.error.message));
        } else {
            QVERIFY2(r.ok(), qPrintable(r.error.toString()));
            QCOMPARE(r.robots->at(0).url.toString(), url);
        }
    }

    void errors_data() {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        const QByteArray ok = "robots:\n  - name: a\n    url: a:8081\n";
        QTest::addRow("empty file") << QByteArray() << 0 << 0 << "the fleet file is empty";
        QTest::addRow("only a comment") << QByteArray("# robots\n") << 0 << 0 << "is empty";
        QTest::addRow("root a list")
            << QByteArray("- a\n") << 1 << 1 << "the fleet file must be a mapping, not a list";
        QTest::addRow("root a scalar")
            << QByteArray("robots\n") << 1 << 1 << "the fleet file must be a mapping, not a scalar";
        QTest::addRow("no robots")
            << QByteArray("fleet: []\n") << 1 << 1 << "the fleet file needs 'robots'";
        QTest::addRow("robots null")
            << QByteArray("robots:\n") << 1 << 1 << "the fleet file needs 'robots'";
        QTest::addRow("robots a scalar")
            << QByteArray("robots: arm\n") << 1 << 9 << "robots must be a list, not a scalar";
        QTest::addRow("robots a mapping") << QByteArray("robots:\n  arm: {url: a:1}\n") << 2 << 3
                                          << "robots must be a list, not a mapping";
        QTest::addRow("robots empty") << QByteArray("robots: []\n") << 1 << 9 << "robots is empty";
        QTest::addRow("robot a scalar") << QByteArray("robots:\n  - arm\n") << 2 << 5
                                        << "robots[0] must be a mapping, not a scalar";
        QTest::addRow("second robot a list") << ok + "  - [b]\n"
                                             << 4 << 5 << "robots[1] must be a mapping, not a list";
        QTest::addRow("missing name")
            << QByteArray("robots:\n  - url: a:8081\n") << 2 << 5 << "robots[0] has no 'name'";
        QTest::addRow("empty name") << QByteArray("robots:\n  - name: ''\n    url: a:1\n") << 2
                                    << 11 << "robots[0].name must not be empty";
        QTest::addRow("name a list") << QByteArray("robots:\n  - name: [a]\n    url: a:1\n") << 2
                                     << 11 << "robots[0].name must be a string, not a list";
        QTest::addRow("missing url")
            << QByteArray("robots:\n  - name: a\n") << 2 << 5 << "robots[0] has no 'url'";
        QTest::addRow("bad url") << QByteArray("robots:\n  - name: a\n    url: ftp://a\n") << 3
                                 << 10 << "robots[0].url 'ftp://a' is not an http(s) address";
        QTest::addRow("empty token_file") << ok + "    token_file: ''\n"
                                          << 4 << 17 << "robots[0].token_file must not be empty";
        QTest::addRow("duplicate name")
            << ok + "  - name: b\n    url: b:1\n"
                    "  - name: a\n    url: c:1\n"
            << 6 << 11 << "robots[2]: the name 'a' is taken by an earlier robot";
        QTest::addRow("inline token") << ok + "    token: s3cret\n"
                                      << 4 << 12 << "robots[0] has a 'token'";
        QTest::addRow("yaml syntax") << QByteArray("robots: [a\n") << 2 << 1 << "end of sequence";
        QTest::addRow("yaml tab") << QByteArray("robots:\n\t- name: a\n") << 2 << 2 << "";
    }
    void errors() {
        QFETCH(QByteArray, yaml);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        const auto r = load(yaml);
        QVERIFY(!r.ok());
        QCOMPARE(r.error.file, QStringLiteral("/site/fleet.yml"));
        QVERIFY2(r.error.message.contains(message), qPrintable(r.error.message));
        QCOMPARE(r.error.line, line);
        QCOMPARE(r.error.column, column);
        if (line > 0)
            QVERIFY(r.error.toString().startsWith(
                QStringLiteral("/site/fleet.yml:%1:%2: ").arg(line).arg(column)));
    }

    // The fix is to move the token into a file; the message says how, without repeating
    // the secret into logs and dialogs.
    void inlineTokenNamesTokenFile() {
        const auto r = load("robots:\n  - {name: a, url: a:1, token: s3cret}\n");
        QVERIFY(!r.ok());
        QVERIFY2(r.error.message.contains("token_file"), qPrintable(r.error.message));
        QVERIFY(!r.error.toString().contains("s3cret"));
    }

    void unknownKeysWarnWithLine() {
        const auto r = load("robots:\n"
                            "  - name: a\n"
                            "    url: a:1\n"
                            "    tokn_file: a.token\n"
                            "fleet: site\n");
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        QCOMPARE(r.robots->at(0).tokenFile, QString());
        QCOMPARE(
            r.warnings,
            (QStringList{"/site/fleet.yml:4: unknown key 'tokn_file' in robots[0] (ignored)",
                         "/site/fleet.yml:5: unknown key 'fleet' in the fleet file (ignored)"}));
    }

    void fileTokenFileIsRelativeToItsDirectory() {
        QTemporaryDir dir;
        const QString path = dir.filePath("fleet.yml");
        QVERIFY(writeFile(path, "robots:\n  - {name: a, url: a:1, token_file: a.token}\n"));
        const auto r = loadFleetFile(path);
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        QCOMPARE(r.robots->at(0).tokenFile, QDir(dir.path()).filePath("a.token"));
    }

    void missingFile() {
        const auto r = loadFleetFile(QStringLiteral("/nonexistent/fleet.yml"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error.file, QStringLiteral("/nonexistent/fleet.yml"));
        QCOMPARE(r.error.line, 0);
        QVERIFY2(
            r.error.toString().startsWith("/nonexistent/fleet.yml: cannot read the fleet file"),
            qPrintable(r.error.toString()));
    }

    // 4 MiB loads; one byte more is refused before parsing.
    void sizeLimit() {
        QTemporaryDir dir;
        const QString path = dir.filePath("fleet.yml");
        const qint64 limit = 4 * 1024 * 1024;
        QByteArray text = "robots: [{name: a, url: a:1}]\n";
        text += QByteArray(limit - text.size() - 1, '#') + '\n';
        QVERIFY(writeFile(path, text));
        auto r = loadFleetFile(path);
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        QVERIFY(writeFile(path, text + '\n'));
        r = loadFleetFile(path);
        QVERIFY(!r.ok());
        QCOMPARE(r.error.toString(), path + ": the fleet file is larger than 4 MiB");
    }

    void saveThenLoad() {
        QTemporaryDir dir;
        QTemporaryDir elsewhere;
        const QString path = dir.filePath("fleet.yml");
        const QList<FleetRobot> robots{
            {"arm", QUrl("http://arm:8081"), dir.filePath("tokens/arm.token")},
            {"base", QUrl("https://base.local:8443"), elsewhere.filePath("base.token")},
            {"left arm: #2", QUrl("http://10.0.0.2:8081"), ""}, // needs quoting in YAML
        };
        QCOMPARE(saveFleetFile(path, robots), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY2(text.contains("token_file: tokens/arm.token\n"), text.constData());
        QVERIFY2(text.contains("token_file: " + elsewhere.filePath("base.token").toUtf8() + "\n"),
                 text.constData());
        QCOMPARE(text, fleetYaml(robots, path));
        const auto r = loadFleetFile(path);
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        QCOMPARE(*r.robots, robots);
        QVERIFY(r.warnings.isEmpty());

        // Saving again replaces the file.
        QCOMPARE(saveFleetFile(path, robots.mid(0, 1)), QString());
        QCOMPARE(loadFleetFile(path).robots->size(), 1);
    }

    void saveErrors() {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath("plain"), "x"));
        const QList<FleetRobot> robots{{"a", QUrl("http://a:1"), ""}};
        for (const QString &path :
             {QStringLiteral("/nonexistent/dir/fleet.yml"), dir.filePath("plain/fleet.yml")}) {
            const QString error = saveFleetFile(path, robots);
            QVERIFY2(error.startsWith("cannot write " + path + ": "), qPrintable(error));
            QVERIFY(!QFile::exists(path));
        }
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"plain"}); // no leftovers
    }
};

QTEST_GUILESS_MAIN(FleetFileTest)
#include "core_fleet_file.moc"

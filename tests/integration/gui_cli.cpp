// The system-manager command line: --help, --version, and exit code 2 with one clear line for
// bad arguments or a bad config, all without needing a display.
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

class GuiCliTest final : public QObject {
    Q_OBJECT

    struct Run {
        int code = -1;
        QString out;
        QString err;
    };

    static Run run(const QStringList &arguments) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("CONFIG_FILE");
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(SM_BIN_DIR "/system-manager"), arguments);
        Run r;
        if (!p.waitForFinished(20000))
            return r;
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    // The file's path, or empty when it could not be written.
    static QString writeFile(const QTemporaryDir &dir, const QString &name,
                             const QByteArray &text) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
            return {};
        return file.fileName();
    }

private Q_SLOTS:
    void helpAndVersion() {
        Run r = run({"--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("Usage: system-manager"));
        for (const char *option :
             {"--config", "--connect", "--token", "--fleet", "--demo", "--version"})
            QVERIFY2(r.out.contains(option), option);
        r = run({"--version"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("system-manager " SM_VERSION "\n"));
    }

    void badArguments_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown option") << QStringList{"--bogus"} << "Unknown option 'bogus'";
        QTest::addRow("positional") << QStringList{"extra"} << "unexpected argument 'extra'";
        QTest::addRow("bad url") << QStringList{"--connect", "ftp://robot"}
                                 << "is not an http(s) URL";
        QTest::addRow("two modes")
            << QStringList{"--demo", "--connect", "http://r:8081"} << "exclude each other";
        QTest::addRow("fleet and config")
            << QStringList{"--fleet", "f.yml", "--config", "c.yml"} << "exclude each other";
        QTest::addRow("missing fleet file")
            << QStringList{"--fleet", "/nonexistent/fleet.yml"} << "/nonexistent/fleet.yml";
        QTest::addRow("token alone") << QStringList{"--token", "t"} << "--token only applies";
        QTest::addRow("missing config")
            << QStringList{"--config", "/nonexistent/config.yml"} << "/nonexistent/config.yml";
    }
    void badArguments() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Run r = run(arguments);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1); // one line
    }

    void demoStopsItsDaemonOnSigterm() {
        QProcess p;
        p.setReadChannel(QProcess::StandardError);
        p.start(QStringLiteral(SM_BIN_DIR "/system-manager"), {"--demo"});
        // Even when a check fails, end it with SIGTERM so that it stops its daemon too.
        const auto guard = qScopeGuard([&p] {
            if (p.state() != QProcess::NotRunning) {
                p.terminate();
                p.waitForFinished(20000);
            }
        });
        QString err;
        QRegularExpression re("demo stack at (http://\\S+)");
        QRegularExpressionMatch m;
        while (!(m = re.match(err)).hasMatch() && p.waitForReadyRead(20000))
            err += QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(m.hasMatch(), qPrintable(err));
        const QUrl url(m.captured(1));
        QTcpSocket probe;
        probe.connectToHost(url.host(), quint16(url.port()));
        QVERIFY(probe.waitForConnected(5000)); // the daemon serves
        probe.abort();

        p.terminate(); // SIGTERM: the window closes, the daemon and its s6 tree stop first
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        probe.connectToHost(url.host(), quint16(url.port()));
        QVERIFY(!probe.waitForConnected(2000));
    }

    void withoutConfigItAsksForARobot() {
        QTemporaryDir empty; // no config.yml here
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("CONFIG_FILE");
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(empty.path());
        p.setReadChannel(QProcess::StandardError);
        p.start(QStringLiteral(SM_BIN_DIR "/system-manager"), {});
        QString err;
        while (!err.contains("asking which robot") && p.waitForReadyRead(20000))
            err += QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("config.yml here"), qPrintable(err));
        p.terminate(); // the window is up and waiting; SIGTERM closes it cleanly
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }

    void badConfigNamesLineAndColumn() {
        QTemporaryDir dir;
        const QString file = writeFile(dir, "config.yml", "containers:\n  - name: [broken\n");
        QVERIFY(!file.isEmpty());
        const Run r = run({"--config", file});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(file + ":"), qPrintable(r.err));
    }

    // Before any window: the fleet file's mistake with its position, in one line.
    void badFleetFileNamesLineAndColumn() {
        QTemporaryDir dir;
        const QString file =
            writeFile(dir, "fleet.yml",
                      "robots:\n  - {name: a, url: http://a:8081}\n  - {name: a, url: b:8081}\n");
        QVERIFY(!file.isEmpty());
        const Run r = run({"--fleet", file});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(file + ":3:"), qPrintable(r.err));
        QVERIFY2(r.err.contains("the name 'a' is taken"), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
    }
};

QTEST_GUILESS_MAIN(GuiCliTest)
#include "gui_cli.moc"

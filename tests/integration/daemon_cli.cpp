// system-managerd's command line: --help, --version, one clear line and exit 2 on bad
// arguments or config, --check-config, SIGTERM, and --demo with a full cleanup.
#include "daemon_support.h"

#include <QDir>
#include <QJsonArray>

namespace {

struct Run {
    int code = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList &args,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(DaemonProcess::binary(), args);
    QSignalSpy finished(&p, &QProcess::finished);
    Run r;
    if (!finished.wait(10000)) {
        p.kill();
        QSignalSpy(&p, &QProcess::finished).wait(5000);
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// Processes whose command line mentions `text` (left-overs of a stopped demo).
QStringList processesMentioning(const QString &text) {
    QStringList found;
    const QStringList pids = QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        // s6-supervise and the services run inside the tree; s6-log names its directory.
        QFile cmdline("/proc/" + pid + "/cmdline");
        const bool named =
            cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(text.toUtf8());
        if (named || QFileInfo("/proc/" + pid + "/cwd").symLinkTarget().startsWith(text))
            found.append(pid);
    }
    return found;
}

} // namespace

class DaemonCliTest final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    QString write(const QString &name, const QByteArray &text) {
        QFile f(m_tmp.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text);
        return f.fileName();
    }

private Q_SLOTS:
    void helpAndVersion() {
        Run r = run({"--version"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QByteArray("system-managerd " SM_VERSION "\n"));
        r = run({"--help"});
        QCOMPARE(r.code, 0);
        for (const char *option : {"--config", "--listen", "--demo", "--version"})
            QVERIFY2(r.out.contains(option), option);
    }

    void badArguments_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("mentions");
        QTest::addRow("unknown option") << QStringList{"--bogus"} << QByteArray("bogus");
        QTest::addRow("positional") << QStringList{"extra"} << QByteArray("extra");
        QTest::addRow("listen") << QStringList{"--listen", "nowhere"} << QByteArray("nowhere");
        QTest::addRow("listen port")
            << QStringList{"--listen", "127.0.0.1:99999"} << QByteArray("99999");
        QTest::addRow("missing value") << QStringList{"--config"} << QByteArray("config");
        QTest::addRow("demo and config")
            << QStringList{"--demo", "--config", "x.yml"} << QByteArray("--config");
    }
    void badArguments() {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, mentions);
        const Run r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.startsWith("system-managerd: ") && r.err.contains(mentions),
                 r.err.constData());
    }

    void badConfig() {
        Run r = run({"--config", m_tmp.filePath("absent.yml")});
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains("absent.yml"), r.err.constData());

        const QString bad = write("bad.yml", "containers:\n  - name: a\n    socket_path: [1, 2]\n");
        r = run({"--config", bad});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith((bad + ":3:").toUtf8()), r.err.constData());

        // CONFIG_FILE is used when --config is absent.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("CONFIG_FILE", bad);
        r = run({"--check-config"}, env);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith((bad + ":3:").toUtf8()), r.err.constData());
    }

    void checkConfig() {
        const QString good =
            write("good.yml", "containers:\n  - name: a\n    socket_path: /x.sock\n");
        const Run r = run({"--check-config", "--config", good});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("OK"));
    }

    void portInUse() {
        const QString good = write("good2.yml", "containers: []\n");
        DaemonProcess first;
        QVERIFY(first.startWithConfig("containers: []\n", {"-q"}));
        const QByteArray port = first.baseUrl().section(':', -1).toUtf8();
        const Run r = run({"--config", good, "--listen", "127.0.0.1:" + port});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot listen"), r.err.constData());
        QCOMPARE(first.stop(), 0);
    }

    void interruptStopsCleanly() {
        DaemonProcess daemon;
        QVERIFY(daemon.startWithConfig("containers: []\n", {"-q"}));
        ::kill(pid_t(daemon.process()->processId()), SIGINT);
        QVERIFY(daemon.waitFinished(10000));
        QCOMPARE(daemon.exitCode(), 0);
    }

    void demoWithoutAgent() {
        // A daemon with no s6-agent next to it: one clear line, exit 1, nothing left behind.
        const QString copy = m_tmp.filePath("system-managerd");
        QVERIFY(QFile::copy(DaemonProcess::binary(), copy));
        QProcess p;
        p.start(copy, {"--demo", "--listen", "127.0.0.1:0"});
        QSignalSpy finished(&p, &QProcess::finished);
        QVERIFY(finished.wait(15000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains(m_tmp.filePath("s6-agent").toUtf8()), err.constData());
        QVERIFY(p.readAllStandardOutput().isEmpty()); // it never said it was listening
    }

    void demoAfterDaemonKilled() {
        // Even a SIGKILLed daemon takes its demo s6 tree and agent down with it.
        DaemonProcess daemon;
        QVERIFY2(daemon.start({"--demo", "--listen", "127.0.0.1:0"}),
                 daemon.allStderr().constData());
        DaemonClient client(daemon.baseUrl());
        const DaemonAnswer a = client.get("/containers");
        const QString root = QFileInfo(a.json()
                                           .value("containers")
                                           .toArray()
                                           .at(0)
                                           .toObject()
                                           .value("socket_path")
                                           .toString())
                                 .path();
        QVERIFY(!processesMentioning(root).isEmpty());
        daemon.process()->kill();
        QVERIFY(daemon.waitFinished(5000));
        QTRY_VERIFY_WITH_TIMEOUT(processesMentioning(root).isEmpty(), 10000);
        QDir(root).removeRecursively(); // what only an orderly stop removes
    }

    void demo() {
        DaemonProcess daemon;
        QVERIFY2(daemon.start({"--demo", "--listen", "127.0.0.1:0"}),
                 daemon.allStderr().constData());
        DaemonClient client(daemon.baseUrl());
        QTRY_VERIFY(daemon.allStdout().contains("/docs"));

        DaemonAnswer a = client.get("/containers");
        QCOMPARE(a.status, 200);
        const QString socket =
            a.json().value("containers").toArray().at(0).toObject().value("socket_path").toString();
        const QString root = QFileInfo(socket).path();
        QVERIFY(QFileInfo::exists(root));

        a = client.get("/containers/demo/services");
        QCOMPARE(a.status, 200);
        QStringList ids;
        for (const QJsonValue &v : a.json().value("services").toArray())
            ids.append(v.toObject().value("id").toString());
        QCOMPARE(ids, QStringList({"chatter", "crashy", "standby", "web"}));

        const auto status = [&client](const char *svc) {
            return client.get(QByteArray("/containers/demo/services/") + svc + "/status").json();
        };
        QTRY_VERIFY_WITH_TIMEOUT(status("web").value("is_up").toBool(), 10000);
        QCOMPARE(status("standby").value("is_up").toBool(), false);
        // The crash loop shows as down with an exit code while s6 wants it up.
        QTRY_VERIFY_WITH_TIMEOUT(status("crashy").value("raw").toString().contains("exitcode 3"),
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(client.get("/containers/demo/services/chatter/logs?tail=5")
                                     .json()
                                     .value("logs")
                                     .toString()
                                     .contains("chatter: tick"),
                                 10000);

        QCOMPARE(daemon.stop(), 0);
        QVERIFY2(!QFileInfo::exists(root), qPrintable(root));
        QTRY_VERIFY_WITH_TIMEOUT(processesMentioning(root).isEmpty(), 5000);
    }
};

QTEST_GUILESS_MAIN(DaemonCliTest)
#include "daemon_cli.moc"

// DockerClient against a real Engine API: podman's Docker-compatible service with real
// containers. One service per executable (initTestCase), containers per test.
#include "PodmanService.h"
#include "docker/DockerClient.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace sm;

namespace {

// Calls an async DockerClient method and waits for its one answer.
template <typename T> struct Waiter {
    std::optional<Result<T>> result;
    int calls = 0;
    auto callback() {
        return [this](Result<T> r) {
            ++calls;
            result.emplace(std::move(r));
        };
    }
    bool wait(int timeoutMs = 20000) {
        return QTest::qWaitFor([this] { return result.has_value(); }, timeoutMs);
    }
};

const QRegularExpression
    TimestampedLine(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (.*)$)"));

// QVERIFY2 evaluates its message even on success, so it must not touch a missing error.
template <typename T> const char *errorText(const Result<T> &r) {
    static QByteArray text;
    text = r.ok() ? QByteArray() : r.error().message.toUtf8();
    return text.constData();
}

} // namespace

class DockerClientTest final : public QObject {
    Q_OBJECT
    PodmanService m_podman;
    std::unique_ptr<DockerClient> m_client;

    template <typename T> Result<T> await(Waiter<T> &w) {
        if (!w.wait())
            return ApiError{0, QStringLiteral("no answer"), QJsonValue::Null};
        return *w.result;
    }
    Result<Done> control(const QString &name, const QString &action, int timeout = 10) {
        Waiter<Done> w;
        m_client->control(this, name, action, timeout, w.callback());
        return await(w);
    }
    Result<DockerInspect> inspect(const QString &name) {
        Waiter<DockerInspect> w;
        m_client->inspect(this, name, w.callback());
        return await(w);
    }
    Result<QString> logs(const QString &name, int tail) {
        Waiter<QString> w;
        m_client->logs(this, name, tail, w.callback());
        return await(w);
    }
    Result<QList<DockerContainer>> list(bool all) {
        Waiter<QList<DockerContainer>> w;
        m_client->containers(this, all, w.callback());
        return await(w);
    }

private Q_SLOTS:
    void initTestCase() {
        if (!PodmanService::installed())
            QSKIP("podman is not installed (apt-get install podman runc busybox-static)");
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        qInfo("podman service ready in %lld ms", m_podman.startupMs());
        m_client = std::make_unique<DockerClient>(m_podman.socketPath());
    }

    void cleanupTestCase() {
        m_client.reset();
        m_podman.stop();
        QVERIFY(m_podman.mountsBelowRoot().isEmpty());
    }

    void negotiatesVersion() {
        Waiter<QString> w;
        m_client->ping(this, w.callback());
        const Result<QString> version = await(w);
        QVERIFY2(version.ok(), errorText(version));
        // podman 4.3 speaks 1.41; ours is higher, so the server's wins.
        QCOMPARE(version.value(), QStringLiteral("1.41"));
        QCOMPARE(m_client->apiVersion(), QStringLiteral("1.41"));
    }

    void listAndStatus() {
        const QString id = m_podman.run(QStringLiteral("web"), QStringLiteral("exec sleep 100000"));
        QVERIFY2(!id.isEmpty(), qPrintable(m_podman.errorString()));
        QVERIFY(
            !m_podman.run(QStringLiteral("idle"), QStringLiteral("true"), false, false).isEmpty());

        auto running = list(false);
        QVERIFY2(running.ok(), errorText(running));
        QStringList names;
        for (const DockerContainer &c : running.value())
            names << c.name;
        QVERIFY(names.contains(QStringLiteral("web")));
        QVERIFY(!names.contains(QStringLiteral("idle")));

        auto all = list(true);
        QVERIFY(all.ok());
        std::optional<DockerContainer> web, idle;
        for (const DockerContainer &c : all.value()) {
            if (c.name == QLatin1String("web"))
                web = c;
            else if (c.name == QLatin1String("idle"))
                idle = c;
        }
        QVERIFY(web && idle);
        QCOMPARE(web->id, id);
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(web->id).hasMatch());
        QCOMPARE(web->status, QStringLiteral("running"));
        QCOMPARE(idle->status, QStringLiteral("created"));
        QCOMPARE(web->image, QStringLiteral("localhost/tiny:latest"));
        QVERIFY2(QRegularExpression(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)"))
                     .match(web->created)
                     .hasMatch(),
                 qPrintable(web->created));

        const auto status = inspect(QStringLiteral("web"));
        QVERIFY2(status.ok(), errorText(status));
        const DockerStatus &s = status.value().status;
        QCOMPARE(s.id, id);
        QCOMPARE(s.name, QStringLiteral("web"));
        QCOMPARE(s.status, QStringLiteral("running"));
        QCOMPARE(s.state, QStringLiteral("running"));
        QVERIFY(s.running && !s.paused && !s.restarting);
        QCOMPARE(s.image, QStringLiteral("localhost/tiny:latest"));
        QCOMPARE(s.created, web->created); // the same instant, the same format, from both calls
        QVERIFY(s.startedAt.endsWith(QLatin1Char('Z')) && !s.startedAt.contains(QLatin1Char('.')));
        QCOMPARE(s.exitCode, std::nullopt);
        QVERIFY(!status.value().tty);
    }

    void unknownContainerIs404() {
        const auto status = inspect(QStringLiteral("no-such-thing"));
        QVERIFY(!status.ok());
        QCOMPARE(status.error().status, 404);
        QCOMPARE(status.error().message,
                 QStringLiteral("Docker container 'no-such-thing' not found"));
        for (const QString &action :
             {QStringLiteral("start"), QStringLiteral("stop"), QStringLiteral("restart")}) {
            const auto r = control(QStringLiteral("no-such-thing"), action);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().status, 404);
        }
        const auto l = logs(QStringLiteral("no-such-thing"), 10);
        QVERIFY(!l.ok());
        QCOMPARE(l.error().status, 404);
        // A name that would escape the path is only a name that does not exist.
        QCOMPARE(inspect(QStringLiteral("../../_ping")).error().status, 404);
    }

    void startStopRestart() {
        QVERIFY(!m_podman
                     .run(QStringLiteral("ctl"),
                          QStringLiteral("trap 'exit 0' TERM; while true; do sleep 0.2; done"))
                     .isEmpty());
        QVERIFY(control(QStringLiteral("ctl"), QStringLiteral("stop"), 5).ok());
        auto s = inspect(QStringLiteral("ctl"));
        QCOMPARE(s.value().status.status, QStringLiteral("exited"));
        QCOMPARE(s.value().status.exitCode, std::optional<int>(0));
        QVERIFY(!s.value().status.finishedAt.startsWith(QLatin1String("0001")));
        // Stopping a stopped container is fine (Docker: 304).
        QVERIFY(control(QStringLiteral("ctl"), QStringLiteral("stop"), 5).ok());

        QVERIFY(control(QStringLiteral("ctl"), QStringLiteral("start")).ok());
        QCOMPARE(inspect(QStringLiteral("ctl")).value().status.status, QStringLiteral("running"));
        QVERIFY(control(QStringLiteral("ctl"), QStringLiteral("start")).ok()); // 304

        const QString before = inspect(QStringLiteral("ctl")).value().status.startedAt;
        QVERIFY(control(QStringLiteral("ctl"), QStringLiteral("restart"), 5).ok());
        const DockerStatus after = inspect(QStringLiteral("ctl")).value().status;
        QCOMPARE(after.status, QStringLiteral("running"));
        QVERIFY(after.startedAt >= before);

        const auto bogus = control(QStringLiteral("ctl"), QStringLiteral("explode"));
        QCOMPARE(bogus.error().status, 422);
    }

    void stopTimeoutIsHonoured_data() {
        QTest::addColumn<int>("seconds");
        QTest::addRow("t=1") << 1;
        QTest::addRow("t=3") << 3;
    }
    void stopTimeoutIsHonoured() {
        QFETCH(int, seconds);
        const QString name = QStringLiteral("stubborn%1").arg(seconds);
        // PID 1 without a TERM handler ignores SIGTERM: only the SIGKILL after t ends it. The
        // container's own grace period is ten minutes, so a stop that answers at all (the
        // client allows t plus its read timeout) used t, not that.
        QVERIFY(m_podman.podman({"run", "--name", name, "--network", "none", "-d", "--stop-timeout",
                                 "600", "localhost/tiny:latest", "sh", "-c",
                                 "trap '' TERM; while true; do sleep 0.2; done"}));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(control(name, QStringLiteral("stop"), seconds).ok());
        const qint64 ms = timer.elapsed();
        qInfo("stop with t=%d took %lld ms", seconds, ms);
        QVERIFY2(ms >= seconds * 1000 - 100, qPrintable(QString::number(ms)));
        QCOMPARE(inspect(name).value().status.exitCode, std::optional<int>(137));
    }

    void logsBothStreamsWithTail() {
        QVERIFY(!m_podman
                     .run(QStringLiteral("talker"),
                          QStringLiteral("echo out1; echo err1 >&2; echo out2; echo err2 >&2"))
                     .isEmpty());
        QCOMPARE(m_podman.wait(QStringLiteral("talker")), 0);
        const auto all = logs(QStringLiteral("talker"), 100);
        QVERIFY2(all.ok(), errorText(all));
        QStringList texts;
        for (const QString &line : all.value().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const auto m = TimestampedLine.match(line);
            QVERIFY2(m.hasMatch(), qPrintable(line)); // one timestamp per line, no frame bytes
            texts << m.captured(2);
        }
        QCOMPARE(texts.size(), 4);
        for (const char *want : {"out1", "err1", "out2", "err2"})
            QVERIFY(texts.contains(QLatin1String(want)));
        QVERIFY(all.value().endsWith(QLatin1Char('\n')));

        const auto two = logs(QStringLiteral("talker"), 2);
        QVERIFY(two.ok());
        QCOMPARE(two.value().count(QLatin1Char('\n')), 2);
        QCOMPARE(logs(QStringLiteral("talker"), 0).value(), QString());
    }

    void tenThousandLines() {
        QVERIFY(!m_podman
                     .run(QStringLiteral("chatty"),
                          QStringLiteral(
                              "i=0; while [ $i -lt 10000 ]; do echo line $i; i=$((i+1)); done"))
                     .isEmpty());
        QCOMPARE(m_podman.wait(QStringLiteral("chatty")), 0);
        QElapsedTimer timer;
        timer.start();
        const auto all = logs(QStringLiteral("chatty"), -1);
        QVERIFY2(all.ok(), errorText(all));
        qInfo("10000 log lines read in %lld ms", timer.elapsed());
        const QStringList lines = all.value().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 10000);
        for (int i = 0; i < lines.size(); ++i) {
            const auto m = TimestampedLine.match(lines[i]);
            QVERIFY(m.hasMatch());
            QCOMPARE(m.captured(2), QStringLiteral("line %1").arg(i));
        }
        const auto tail = logs(QStringLiteral("chatty"), 3);
        QCOMPARE(tail.value().split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 3);
        QVERIFY(tail.value().contains(QLatin1String(" line 9999\n")));
    }

    void ttyLogsAreRaw() {
        QVERIFY(
            !m_podman.run(QStringLiteral("tty"), QStringLiteral("echo on a tty"), true).isEmpty());
        QCOMPARE(m_podman.wait(QStringLiteral("tty")), 0);
        QVERIFY(inspect(QStringLiteral("tty")).value().tty);
        const auto l = logs(QStringLiteral("tty"), 10);
        QVERIFY2(l.ok(), errorText(l));
        QVERIFY2(l.value().contains(QLatin1String("on a tty")), qPrintable(l.value()));
        QVERIFY(
            TimestampedLine.match(l.value().split(QLatin1Char('\n')).first().trimmed()).hasMatch());
    }
};

QTEST_GUILESS_MAIN(DockerClientTest)
#include "docker_client.moc"

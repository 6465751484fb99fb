// Engine JSON → REST values: times, list rows, inspect, events lines, error bodies.
#include "docker/DockerEvents.h"
#include "docker/DockerJson.h"
#include "docker/DockerTime.h"

#include <QTest>

using namespace sm;

class DockerParseTest final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void times_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::addRow("nanoseconds") << "2026-11-26T14:05:24.881019123Z"
                                     << "2026-11-26T14:05:24Z";
        QTest::addRow("seconds") << "2026-11-26T14:05:24Z"
                                 << "2026-11-26T14:05:24Z";
        QTest::addRow("offset") << "2026-11-26T16:05:24.5+02:00"
                                << "2026-11-26T14:05:24Z";
        QTest::addRow("zero time") << "0001-01-01T00:00:00Z"
                                   << "0001-01-01T00:00:00Z";
        QTest::addRow("not a time") << "yesterday"
                                    << "yesterday";
        QTest::addRow("empty") << ""
                               << "";
    }
    void times() {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(dockerTimeFromRfc3339(input), expected);
    }

    void unixTime() {
        QCOMPARE(dockerTimeFromUnix(1795701924), QStringLiteral("2026-11-26T14:05:24Z"));
    }

    void list() {
        const QByteArray body =
            R"([{"Id":"2bc0e90f06c3dbb041b4a16e46bd6322dfa4b192c126617ac26bd6170e1ea678",
            "Names":["/a"],"Image":"localhost/tiny:latest","ImageID":"sha256:2e35",
            "Created":1795701924,"State":"running","Status":"Up 3 seconds"},
            {"Id":"ff","Names":["/b"],"Image":"x:1","Created":0,"State":"exited"}])";
        const auto result = dockerContainersFromEngine(body);
        QVERIFY(result.ok());
        QCOMPARE(result.value().size(), 2);
        const DockerContainer &c = result.value().first();
        QCOMPARE(c.id, QStringLiteral(
                           "2bc0e90f06c3dbb041b4a16e46bd6322dfa4b192c126617ac26bd6170e1ea678"));
        QCOMPARE(c.name, QStringLiteral("a"));
        QCOMPARE(c.status, QStringLiteral("running"));
        QCOMPARE(c.image, QStringLiteral("localhost/tiny:latest"));
        QCOMPARE(c.created, QStringLiteral("2026-11-26T14:05:24Z"));
        QCOMPARE(result.value()[1].status, QStringLiteral("exited"));
    }

    void listGarbage() {
        for (const QByteArray &body : {QByteArray("{}"), QByteArray("nope"), QByteArray("[{}]")}) {
            const auto result = dockerContainersFromEngine(body);
            QVERIFY(!result.ok());
            QCOMPARE(result.error().status, 502);
        }
    }

    void inspect_data() {
        QTest::addColumn<QByteArray>("state");
        QTest::addColumn<QString>("status");
        QTest::addColumn<bool>("running");
        QTest::addColumn<int>("exitCode"); // -1: null
        QTest::addRow("running") << QByteArray(R"({"Status":"running","Running":true,"ExitCode":0)")
                                 << "running" << true << -1;
        QTest::addRow("exited") << QByteArray(
                                       R"({"Status":"exited","Running":false,"ExitCode":137)")
                                << "exited" << false << 137;
        QTest::addRow("created") << QByteArray(
                                        R"({"Status":"created","Running":false,"ExitCode":0)")
                                 << "created" << false << -1;
    }
    void inspect() {
        QFETCH(QByteArray, state);
        QFETCH(QString, status);
        QFETCH(bool, running);
        QFETCH(int, exitCode);
        const QByteArray body =
            R"({"Id":"abc","Name":"/web","Created":"2026-11-26T14:05:24.881019123Z",
            "Image":"sha256:2e35","State":)" +
            state +
            R"(,"StartedAt":"2026-11-26T14:05:25.003054232Z",
            "FinishedAt":"0001-01-01T00:00:00Z","Paused":false,"Restarting":false},
            "Config":{"Image":"localhost/tiny:latest","Tty":true}})";
        const auto result = dockerInspectFromEngine(body);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const DockerStatus &s = result.value().status;
        QCOMPARE(s.id, QStringLiteral("abc"));
        QCOMPARE(s.name, QStringLiteral("web"));
        QCOMPARE(s.status, status);
        QCOMPARE(s.state, status);
        QCOMPARE(s.running, running);
        QCOMPARE(s.image, QStringLiteral("localhost/tiny:latest"));
        QCOMPARE(s.created, QStringLiteral("2026-11-26T14:05:24Z"));
        QCOMPARE(s.startedAt, QStringLiteral("2026-11-26T14:05:25Z"));
        QCOMPARE(s.finishedAt, QStringLiteral("0001-01-01T00:00:00Z"));
        QCOMPARE(s.exitCode, exitCode < 0 ? std::optional<int>() : std::optional<int>(exitCode));
        QVERIFY(result.value().tty);
    }

    void inspectGarbage() {
        const auto result = dockerInspectFromEngine("[1]");
        QVERIFY(!result.ok());
        QCOMPARE(result.error().status, 502);
    }

    void events_data() {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("container");
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("time");
        QTest::addRow("podman stop")
            << QByteArray(
                   R"({"status":"stop","id":"2bc0","from":"localhost/tiny:latest","Type":"container","Action":"stop","Actor":{"ID":"2bc0","Attributes":{"image":"localhost/tiny:latest","name":"a"}},"scope":"local","time":1795701931,"timeNano":1795701931360322711})")
            << "a"
            << "stop"
            << "2026-11-26T14:05:31Z";
        QTest::addRow("no name, nano only")
            << QByteArray(
                   R"({"Type":"container","Action":"die","Actor":{"ID":"abcd"},"timeNano":1795701931360322711})")
            << "abcd"
            << "die"
            << "2026-11-26T14:05:31Z";
        QTest::addRow("old status field")
            << QByteArray(R"({"status":"start","id":"ff","time":5})") << "ff"
            << "start"
            << "1970-01-01T00:00:05Z";
        QTest::addRow("image event")
            << QByteArray(R"({"Type":"image","Action":"pull","Actor":{"ID":"x"},"time":1})") << ""
            << ""
            << "";
        QTest::addRow("garbage") << QByteArray("{not json") << ""
                                 << ""
                                 << "";
        QTest::addRow("blank") << QByteArray("  \r") << ""
                               << ""
                               << "";
        QTest::addRow("no time") << QByteArray(
                                        R"({"Type":"container","Action":"x","Actor":{"ID":"y"}})")
                                 << ""
                                 << ""
                                 << "";
    }
    void events() {
        QFETCH(QByteArray, line);
        QFETCH(QString, container);
        QFETCH(QString, action);
        QFETCH(QString, time);
        const auto event = parseDockerEventLine(line);
        QCOMPARE(event.has_value(), !container.isEmpty());
        if (event) {
            QCOMPARE(event->container, container);
            QCOMPARE(event->action, action);
            QCOMPARE(event->time, time);
        }
    }

    void errorMessages() {
        const QByteArray notFound =
            "{\"cause\":\"no such container\",\"message\":\"no container named x\"}";
        QCOMPARE(dockerErrorMessage(notFound), QStringLiteral("no container named x"));
        QCOMPARE(dockerErrorMessage("plain text\n"), QStringLiteral("plain text"));
        QCOMPARE(dockerErrorMessage(""), QStringLiteral("no details"));
    }
};

QTEST_GUILESS_MAIN(DockerParseTest)
#include "docker_parse.moc"

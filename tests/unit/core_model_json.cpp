#include "model/ModelJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sm;

namespace {

QJsonObject parse(const QByteArray &json) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning() << "not JSON:" << json << error.errorString();
    return doc.object();
}

ServiceStatus oldStatus() {
    ServiceStatus s;
    s.container = QStringLiteral("ai_worker");
    s.service = QStringLiteral("svc");
    s.serviceLabel = QStringLiteral("Label");
    s.name = QStringLiteral("svc");
    s.raw = QStringLiteral("up (pid 1234) 10 seconds");
    s.isUp = true;
    s.pid = 1234;
    s.uptimeSeconds = 10;
    return s;
}

} // namespace

class ModelJsonTest final : public QObject {
    Q_OBJECT
private slots:
    void serviceStatusOldShape() {
        QCOMPARE(toJson(oldStatus()),
                 QByteArray(
                     "{\"container\":\"ai_worker\",\"service\":\"svc\",\"service_label\":\"Label\","
                     "\"name\":\"svc\",\"raw\":\"up (pid 1234) 10 seconds\",\"is_up\":true,"
                     "\"pid\":1234,\"uptime_seconds\":10}"));
    }

    void serviceStatusNulls() {
        ServiceStatus s = oldStatus();
        s.isUp = false;
        s.pid.reset();
        s.uptimeSeconds.reset();
        QVERIFY(toJson(s).endsWith("\"is_up\":false,\"pid\":null,\"uptime_seconds\":null}"));
    }

    void serviceStatusExtendedAndOther() {
        ServiceStatus s = oldStatus();
        s.normallyUp = true;
        s.wantUp = true;
        s.ready = false;
        s.paused = false;
        s.since = QStringLiteral("2026-01-01T00:00:00Z");
        s.otherFields.insert(QStringLiteral("zeta"), 1);
        s.otherFields.insert(QStringLiteral("alpha"), QStringLiteral("x\"y"));
        QCOMPARE(toJson(s),
                 QByteArray(
                     "{\"container\":\"ai_worker\",\"service\":\"svc\",\"service_label\":\"Label\","
                     "\"name\":\"svc\",\"raw\":\"up (pid 1234) 10 seconds\",\"is_up\":true,"
                     "\"pid\":1234,\"uptime_seconds\":10,\"normally_up\":true,\"want_up\":true,"
                     "\"ready\":false,\"paused\":false,\"exit_code\":null,\"signal\":null,"
                     "\"since\":\"2026-01-01T00:00:00Z\",\"alpha\":\"x\\\"y\",\"zeta\":1}"));
    }

    void agentStatusParses() {
        const QByteArray agent =
            "{\"name\":\"svc\",\"raw\":\"down (exitcode 3) 0 seconds, normally up, want up\","
            "\"is_up\":false,\"pid\":null,\"uptime_seconds\":0,\"normally_up\":true,\"want_up\":"
            "true,"
            "\"ready\":false,\"paused\":false,\"exit_code\":3,\"signal\":null,"
            "\"since\":\"2026-01-01T00:00:00Z\",\"extra\":[1,2]}";
        const auto r = serviceStatusFromAgent(parse(agent));
        QVERIFY(r.ok());
        const ServiceStatus &s = r.value();
        QCOMPARE(s.name, QStringLiteral("svc"));
        QVERIFY(!s.isUp);
        QVERIFY(!s.pid);
        QCOMPARE(s.uptimeSeconds, std::optional<qint64>(0));
        QCOMPARE(s.exitCode, std::optional<int>(3));
        QVERIFY(!s.signal);
        QVERIFY(s.crashLooping());
        QCOMPARE(s.otherFields.size(), 1);
        QCOMPARE(s.otherFields.value(QStringLiteral("extra")).toArray().size(), 2);
    }

    void oldAgentStatusParses() {
        const auto r = serviceStatusFromAgent(
            parse("{\"name\":\"a\",\"raw\":\"up (pid 7) 1 "
                  "seconds\",\"is_up\":true,\"pid\":7,\"uptime_seconds\":1}"));
        QVERIFY(r.ok());
        QVERIFY(!r.value().normallyUp);
        ServiceStatus s = r.value();
        s.container = QStringLiteral("c");
        s.service = QStringLiteral("a");
        s.serviceLabel = QStringLiteral("a");
        // An old agent's status keeps the old shape: no extended fields invented.
        QVERIFY(toJson(s).endsWith("\"pid\":7,\"uptime_seconds\":1}"));
    }

    void agentStatusRejects_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addRow("no name") << QByteArray("{\"raw\":\"\",\"is_up\":true}") << "name";
        QTest::addRow("is_up string")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":\"yes\"}") << "is_up";
        QTest::addRow("pid fraction")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"pid\":1.5}") << "pid";
        QTest::addRow("pid string")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"pid\":\"1\"}") << "pid";
        QTest::addRow("exit_code huge")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"exit_code\":99999999999}")
            << "exit_code";
        QTest::addRow("signal number")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"signal\":15}") << "signal";
    }
    void agentStatusRejects() {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        const auto r = serviceStatusFromAgent(parse(json));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().status, 502);
        QCOMPARE(r.error().detail.toString(), field);
        QVERIFY2(r.error().message.contains(field), qPrintable(r.error().message));
    }

    void serviceStatusRoundTrip() {
        ServiceStatus s = oldStatus();
        s.exitCode = 0;
        s.signal = QStringLiteral("SIGTERM");
        s.normallyUp = false;
        s.otherFields.insert(QStringLiteral("k"), true);
        const auto back = serviceStatusFromJson(parse(toJson(s)));
        QVERIFY(back.ok());
        // Extended fields written as null come back as absent, which is what they were.
        QCOMPARE(back.value(), s);
        QCOMPARE(toJson(back.value()), toJson(s));
    }

    void smallShapes() {
        QCOMPARE(
            toJson(ContainerInfo{"ai_worker", "/agents/ai_worker/s6_agent.sock"}),
            QByteArray(
                "{\"name\":\"ai_worker\",\"socket_path\":\"/agents/ai_worker/s6_agent.sock\"}"));
        QCOMPARE(toJson(ServiceInfo{"svc", "Label"}),
                 QByteArray("{\"id\":\"svc\",\"label\":\"Label\"}"));
        QCOMPARE(toJson(ControlResult{"c", "s", "restart"}),
                 QByteArray("{\"container\":\"c\",\"service\":\"s\",\"action\":\"restart\","
                            "\"result\":\"ok\"}"));
        QCOMPARE(toJson(RunScript{"c", "s", "/etc/s/run", "#!/bin/sh\nexec x\n"}),
                 QByteArray("{\"container\":\"c\",\"service\":\"s\",\"path\":\"/etc/s/run\","
                            "\"content\":\"#!/bin/sh\\nexec x\\n\"}"));
        QCOMPARE(toJson(DockerControlResult{"ai_worker", "stop"}),
                 QByteArray("{\"name\":\"ai_worker\",\"action\":\"stop\",\"result\":\"ok\"}"));
        QCOMPARE(toJson(DockerLogs{"ai_worker", "a\nb\n", 5}),
                 QByteArray("{\"container\":\"ai_worker\",\"logs\":\"a\\nb\\n\",\"tail\":5}"));
        QCOMPARE(toJson(DockerEvent{"w", "die", "2026-01-01T00:00:00Z"}),
                 QByteArray(
                     "{\"container\":\"w\",\"action\":\"die\",\"time\":\"2026-01-01T00:00:00Z\"}"));
        QCOMPARE(toJson(ApiError::notFound("Container 'x' not found")),
                 QByteArray("{\"error\":\"Container 'x' not found\",\"detail\":null}"));
        QCOMPARE(toJson(ApiError::unprocessable("Bad", QStringLiteral("tail"))),
                 QByteArray("{\"error\":\"Bad\",\"detail\":\"tail\"}"));
        QCOMPARE(toJsonArray(QList<ServiceInfo>{{"a", "A"}, {"b", "b"}}),
                 QByteArray("[{\"id\":\"a\",\"label\":\"A\"},{\"id\":\"b\",\"label\":\"b\"}]"));
    }

    void logChunkShapes() {
        LogChunk tail{"c", "s", "x\n", 100, std::nullopt, "/var/log/s/current"};
        QCOMPARE(toJson(tail),
                 QByteArray("{\"container\":\"c\",\"service\":\"s\",\"logs\":\"x\\n\","
                            "\"tail\":100,\"log_path\":\"/var/log/s/current\"}"));
        LogChunk cursor{"c", "s", "", std::nullopt, 4096, "/l"};
        QCOMPARE(toJson(cursor), QByteArray("{\"container\":\"c\",\"service\":\"s\",\"logs\":\"\","
                                            "\"cursor\":4096,\"log_path\":\"/l\"}"));
        const auto back = logChunkFromJson(parse(toJson(cursor)));
        QVERIFY(back.ok());
        QCOMPARE(back.value().cursor, std::optional<qint64>(4096));
        QVERIFY(!back.value().tail);
    }

    void dockerShapes() {
        DockerContainer c{QByteArray(64, 'a'), "ai_worker", "running", "repo:tag",
                          "2026-01-01T00:00:00Z"};
        QCOMPARE(toJson(c),
                 QByteArray("{\"id\":\"" + QByteArray(64, 'a') +
                            "\",\"name\":\"ai_worker\",\"status\":\"running\","
                            "\"image\":\"repo:tag\",\"created\":\"2026-01-01T00:00:00Z\"}"));
        QCOMPARE(dockerContainerFromJson(parse(toJson(c))).value(), c);

        DockerStatus s;
        s.id = "id";
        s.name = "n";
        s.status = "exited";
        s.state = "exited";
        s.image = "i";
        s.created = "c";
        s.startedAt = "s";
        s.finishedAt = "f";
        QCOMPARE(
            toJson(s),
            QByteArray("{\"id\":\"id\",\"name\":\"n\",\"status\":\"exited\",\"state\":\"exited\","
                       "\"running\":false,\"restarting\":false,\"paused\":false,"
                       "\"image\":\"i\",\"created\":\"c\",\"started_at\":\"s\","
                       "\"finished_at\":\"f\",\"exit_code\":null}"));
        s.exitCode = 137;
        const auto back = dockerStatusFromJson(parse(toJson(s)));
        QVERIFY(back.ok());
        QCOMPARE(back.value().exitCode, std::optional<int>(137));
        QCOMPARE(toJson(back.value()), toJson(s));
    }

    void health() {
        Health h;
        h.agents = {{"b", true}, {"a", false}};
        QCOMPARE(toJson(h), QByteArray("{\"status\":\"ok\",\"agents\":{\"b\":\"reachable\","
                                       "\"a\":\"unreachable\"},\"docker\":\"unavailable\"}"));
        const auto back = healthFromJson(parse(toJson(h)));
        QVERIFY(back.ok());
        QCOMPARE(back.value().agents.size(), 2);
    }

    void restParsersRejectMissingFields() {
        QCOMPARE(containerInfoFromJson(parse("{\"name\":\"x\"}")).error().status, 502);
        QCOMPARE(serviceInfoFromJson(parse("{\"id\":1,\"label\":\"x\"}")).error().detail.toString(),
                 QStringLiteral("id"));
        QVERIFY(!dockerStatusFromJson(parse("{\"id\":\"x\"}")).ok());
        QVERIFY(!serviceStatusFromJson(parse("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true}")).ok());
    }

    void apiErrorEnvelope() {
        const ApiError e =
            apiErrorFromJson(404, parse("{\"error\":\"No such service\",\"detail\":null}"));
        QCOMPARE(e.status, 404);
        QCOMPARE(e.message, QStringLiteral("No such service"));
        QVERIFY(e.detail.isNull());
        QCOMPARE(apiErrorFromJson(500, {}).message, QStringLiteral("HTTP status 500"));
    }
};

QTEST_GUILESS_MAIN(ModelJsonTest)
#include "core_model_json.moc"

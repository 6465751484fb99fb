#include "model/Events.h"
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
        QTest::addRow("last_death string")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"last_death\":\"x\"}")
            << "last_death";
        QTest::addRow("last_death without time")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"last_death\":{}}")
            << "last_death";
        QTest::addRow("deaths_last_hour fraction")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"deaths_last_hour\":1.5}")
            << "deaths_last_hour";
        QTest::addRow("failed string")
            << QByteArray("{\"name\":\"a\",\"raw\":\"\",\"is_up\":true,\"failed\":\"yes\"}")
            << "failed";
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

    // This project's agent: the extended fields, then the death fields in the agent's order,
    // then anything newer.
    void agentDeathFields() {
        const QByteArray agent =
            "{\"name\":\"svc\",\"raw\":\"up (pid 9) 1 seconds\",\"is_up\":true,\"pid\":9,"
            "\"uptime_seconds\":1,\"normally_up\":true,\"want_up\":true,\"ready\":false,"
            "\"paused\":false,\"exit_code\":null,\"signal\":null,"
            "\"since\":\"2026-01-07T10:00:03Z\",\"deaths_last_minute\":3,\"last_death\":{\"time\":"
            "\"2026-01-07T10:00:02Z\",\"exit_code\":null,\"signal\":\"SIGKILL\"},"
            "\"deaths_last_hour\":5,\"failed\":false,\"zz_newer\":1}";
        const auto r = serviceStatusFromAgent(parse(agent));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        ServiceStatus s = r.value();
        QCOMPARE(s.deathsLastMinute, std::optional<int>(3));
        QCOMPARE(s.deathsLastHour, std::optional<int>(5));
        QCOMPARE(s.permanentFailure, std::optional<bool>(false));
        QVERIFY(s.lastDeath);
        QCOMPARE(s.lastDeath->time, QStringLiteral("2026-01-07T10:00:02Z"));
        QVERIFY(!s.lastDeath->exitCode);
        QCOMPARE(s.lastDeath->signal, std::optional<QString>(QStringLiteral("SIGKILL")));
        QCOMPARE(s.otherFields.keys(), QStringList{"zz_newer"});
        s.container = QStringLiteral("ai_worker");
        s.service = QStringLiteral("svc");
        s.serviceLabel = QStringLiteral("svc");
        QCOMPARE(toJson(s), QByteArray("{\"container\":\"ai_worker\",\"service\":\"svc\","
                                       "\"service_label\":\"svc\",") +
                                agent.mid(1, agent.size() - 1));
        const auto back = serviceStatusFromJson(parse(toJson(s)));
        QVERIFY(back.ok());
        QCOMPARE(back.value(), s);
    }

    // The death fields come as a group: an agent that sends some (an older one of this
    // project's, or one whose tally cannot be read) has all four passed on, null when unknown;
    // one that sends none (the original's) none.
    void deathFieldsAsAGroup() {
        const QByteArray base = "{\"name\":\"a\",\"raw\":\"\",\"is_up\":false,\"pid\":null,"
                                "\"uptime_seconds\":null";
        const auto older = serviceStatusFromAgent(
            parse(base + ",\"deaths_last_minute\":null,\"last_death\":null}"));
        QVERIFY(older.ok());
        QVERIFY(older.value().deathFieldsReported);
        QVERIFY(toJson(older.value())
                    .endsWith("\"uptime_seconds\":null,\"deaths_last_minute\":null,\"last_death\":"
                              "null,\"deaths_last_hour\":null,\"failed\":null}"));
        const auto original = serviceStatusFromAgent(parse(base + "}"));
        QVERIFY(original.ok());
        QVERIFY(!original.value().deathFieldsReported);
        QVERIFY(toJson(original.value()).endsWith("\"uptime_seconds\":null}"));
        // Set in code: written too.
        ServiceStatus s = oldStatus();
        s.deathsLastHour = 0;
        QVERIFY(toJson(s).endsWith("\"uptime_seconds\":10,\"deaths_last_minute\":null,"
                                   "\"last_death\":null,\"deaths_last_hour\":0,\"failed\":null}"));
    }

    // The one rule for a crash loop: 3 deaths in the last minute while wanted up; without the
    // count (older agents), down, wanted up and with an exit code.
    void crashLoopRule() {
        ServiceStatus s = oldStatus();
        s.wantUp = true;
        s.deathsLastMinute = 3;
        QVERIFY(s.crashLooping()); // even while up between two deaths
        s.isUp = false;
        s.exitCode = 1;
        QVERIFY(s.crashLooping());
        s.deathsLastMinute = 2;
        QVERIFY(!s.crashLooping()); // down, wanted up, exit code: but only two deaths
        s.deathsLastMinute = 7;
        s.wantUp = false;
        QVERIFY(!s.crashLooping()); // stopped: s6 does not restart it
        s.wantUp.reset();
        QVERIFY(!s.crashLooping());

        ServiceStatus old = oldStatus(); // no death count: the older rule
        old.isUp = false;
        old.wantUp = true;
        QVERIFY(!old.crashLooping());
        old.exitCode = 3;
        QVERIFY(old.crashLooping());
        old.wantUp = false;
        QVERIFY(!old.crashLooping());
    }

    void failedRule() {
        ServiceStatus s = oldStatus();
        s.isUp = false;
        QVERIFY(!s.failed());
        s.permanentFailure = false;
        QVERIFY(!s.failed());
        s.permanentFailure = true;
        s.wantUp = false;
        s.deathsLastMinute = 5;
        QVERIFY(s.failed());
        QVERIFY(!s.crashLooping()); // failed is not a crash loop: s6 gave up
        s.isUp = true;
        QVERIFY(!s.failed());
    }

    void serviceDeathsShapes() {
        const ServiceDeaths deaths{"ai_worker",
                                   "crasher",
                                   {{"2026-01-07T10:00:02Z", 3, std::nullopt},
                                    {"2026-01-07T10:00:01Z", std::nullopt, "SIGKILL"}}};
        const QByteArray json =
            "{\"container\":\"ai_worker\",\"service\":\"crasher\",\"deaths\":[{\"time\":"
            "\"2026-01-07T10:00:02Z\",\"exit_code\":3,\"signal\":null},{\"time\":"
            "\"2026-01-07T10:00:01Z\",\"exit_code\":null,\"signal\":\"SIGKILL\"}]}";
        QCOMPARE(toJson(deaths), json);
        const auto back = serviceDeathsFromJson(parse(json));
        QVERIFY(back.ok());
        QCOMPARE(back.value(), deaths);
        QCOMPARE(toJson(ServiceDeaths{"c", "s", {}}),
                 QByteArray("{\"container\":\"c\",\"service\":\"s\",\"deaths\":[]}"));
        // The agent's answer has no container.
        const auto agent = serviceDeathsFromJson(
            parse("{\"service\":\"crasher\",\"deaths\":[{\"time\":\"2026-01-07T10:00:02Z\","
                  "\"exit_code\":3,\"signal\":null}]}"));
        QVERIFY(agent.ok());
        QCOMPARE(agent.value().deaths.size(), 1);
        QCOMPARE(agent.value().deaths.first().exitCode, std::optional<int>(3));
        for (const QByteArray &bad :
             {QByteArray("{\"service\":\"s\"}"), QByteArray("{\"service\":\"s\",\"deaths\":{}}"),
              QByteArray("{\"service\":\"s\",\"deaths\":[1]}"),
              QByteArray("{\"service\":\"s\",\"deaths\":[{\"time\":1}]}")}) {
            const auto r = serviceDeathsFromJson(parse(bad));
            QVERIFY2(!r.ok(), bad.constData());
            QCOMPARE(r.error().status, 502);
        }
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
    void stringEscaping() {
        // ASCII takes the fast way, anything else the general one; both give the same JSON.
        QCOMPARE(toJson(ServiceInfo{QStringLiteral("plain ascii"), QString()}),
                 QByteArray("{\"id\":\"plain ascii\",\"label\":\"\"}"));
        QCOMPARE(toJson(ServiceInfo{QString::fromUtf8("q\"b\\n\n\x01\x7f\xc3\xa9\xf0\x9f\x98\x80"),
                                    QStringLiteral("\t\r\b\f")}),
                 QByteArray("{\"id\":\"q\\\"b\\\\n\\n\\u0001\x7f\xc3\xa9\xf0\x9f\x98\x80\","
                            "\"label\":\"\\t\\r\\b\\f\"}"));
        Health h;
        h.agents = {{QStringLiteral("a\"b"), true}};
        QCOMPARE(toJson(h), QByteArray("{\"status\":\"ok\",\"agents\":{\"a\\\"b\":\"reachable\"},"
                                       "\"docker\":\"unavailable\"}"));
    }

    void logChunkByTailWithCursor() {
        // The agent's answer by tail also says where the text ends: after the original's keys.
        LogChunk chunk{"c", "s", "x\n", 5, 812, "/l"};
        QCOMPARE(toJson(chunk),
                 QByteArray("{\"container\":\"c\",\"service\":\"s\",\"logs\":\"x\\n\","
                            "\"tail\":5,\"log_path\":\"/l\",\"cursor\":812}"));
        const auto back = logChunkFromJson(parse(toJson(chunk)));
        QVERIFY(back.ok());
        QCOMPARE(back.value().tail, std::optional<int>(5));
        QCOMPARE(back.value().cursor, std::optional<qint64>(812));
        QCOMPARE(toJson(back.value()), toJson(chunk));
    }

    void wordsAndConstants() {
        const ControlResult unconfirmed{"c", "s", "up", false};
        QCOMPARE(toJson(unconfirmed),
                 QByteArray("{\"container\":\"c\",\"service\":\"s\",\"action\":\"up\","
                            "\"result\":\"unconfirmed\"}"));
        QVERIFY(!controlResultFromJson(parse(toJson(unconfirmed))).value().confirmed);
        // An answer without a result (or with a word it does not know) is taken as "ok".
        QVERIFY(controlResultFromJson(parse("{\"container\":\"c\",\"service\":\"s\",\"action\":"
                                            "\"up\"}"))
                    .value()
                    .confirmed);
        QCOMPARE(controlResultFromJson(parse("{\"container\":\"c\",\"service\":\"s\",\"action\":"
                                             "\"up\",\"result\":1}"))
                     .error()
                     .detail.toString(),
                 QStringLiteral("result"));

        Health h;
        h.agents = {{"a", true}};
        h.dockerAvailable = true;
        h.warning = QStringLiteral("open to the network");
        QCOMPARE(toJson(h), QByteArray("{\"status\":\"ok\",\"agents\":{\"a\":\"reachable\"},"
                                       "\"docker\":\"available\",\"warning\":\"open to the "
                                       "network\"}"));
        const auto back = healthFromJson(parse(toJson(h)));
        QVERIFY(back.ok());
        QVERIFY(back.value().dockerAvailable);
        QCOMPARE(back.value().warning, h.warning);
        QCOMPARE(healthFromJson(parse("{\"agents\":{}}")).error().detail.toString(),
                 QStringLiteral("docker"));
        QCOMPARE(healthFromJson(parse("{\"docker\":\"available\",\"agents\":[]}"))
                     .error()
                     .detail.toString(),
                 QStringLiteral("agents"));
    }

    void integerRanges() {
        QVERIFY(dockerLogsFromJson(parse("{\"container\":\"c\",\"logs\":\"\",\"tail\":3}")).ok());
        QCOMPARE(dockerLogsFromJson(parse("{\"container\":\"c\",\"logs\":\"\",\"tail\":3e10}"))
                     .error()
                     .detail.toString(),
                 QStringLiteral("tail"));
        QVERIFY(
            !dockerLogsFromJson(parse("{\"container\":\"c\",\"logs\":\"\",\"tail\":null}")).ok());
        QVERIFY(!dockerStatusFromJson(parse(toJson(DockerStatus{}).replace("null", "1.5"))).ok());
    }

    void apiErrorWithFastApiDetail() {
        const ApiError e = ApiError::fastApi(422, "Invalid request", QJsonArray{1},
                                             "[{\"loc\":[\"query\",\"tail\"]}]");
        QCOMPARE(toJson(e), QByteArray("{\"detail\":[{\"loc\":[\"query\",\"tail\"]}],"
                                       "\"error\":\"Invalid request\"}"));
        const ApiError back = apiErrorFromJson(422, parse(toJson(e)));
        QCOMPARE(back.message, QStringLiteral("Invalid request"));
        QVERIFY(back.detail.isArray());
    }

    void events_data() {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("data");
        QTest::addRow("service") << QByteArray("service") << toJson(oldStatus());
        QTest::addRow("service_removed")
            << QByteArray("service_removed")
            << QByteArray("{\"container\":\"ai_worker\",\"service\":\"svc\"}");
        QTest::addRow("agent") << QByteArray("agent")
                               << QByteArray("{\"container\":\"ai_worker\",\"reachable\":false}");
        QTest::addRow("docker") << QByteArray("docker")
                                << QByteArray("{\"container\":\"w\",\"action\":\"die\",\"time\":"
                                              "\"2026-01-01T00:00:00Z\"}");
    }
    void events() {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, data);
        const std::optional<Event> event = parseEvent(QString::fromUtf8(name), data);
        QVERIFY(event);
        const EncodedEvent again = encodeEvent(*event);
        QCOMPARE(again.name, name);
        QCOMPARE(again.data, data);
    }

    void eventValues() {
        QCOMPARE(encodeEvent(AgentReachability{"a", true}).data,
                 QByteArray("{\"container\":\"a\",\"reachable\":true}"));
        QCOMPARE(encodeEvent(ServiceRemoved{"a", "s"}).name, QByteArray("service_removed"));
        const auto removed =
            parseEvent("service_removed", "{\"container\":\"a\",\"service\":\"s\"}");
        QVERIFY(removed);
        QCOMPARE(std::get<ServiceRemoved>(*removed), (ServiceRemoved{"a", "s"}));
        QCOMPARE(std::get<ServiceStatus>(*parseEvent("service", toJson(oldStatus()))), oldStatus());
    }

    void eventsRejected() {
        // An event a newer daemon added, and events of the wrong shape, are skipped.
        QVERIFY(!parseEvent("rule_fired", "{\"container\":\"a\"}"));
        QVERIFY(!parseEvent("agent", "{\"container\":\"a\",\"reachable\":\"yes\"}"));
        QVERIFY(!parseEvent("service", "{\"container\":\"a\"}"));
        QVERIFY(!parseEvent("docker", "not json"));
        QVERIFY(!parseEvent("service_removed", ""));
    }
};

QTEST_GUILESS_MAIN(ModelJsonTest)
#include "core_model_json.moc"

// Deaths, crash loops and permanent failures end to end: a real s6 tree (Debian's s6) with a
// service that keeps crashing, one whose finish script runs s6-permafailon, and a steady one;
// the project's s6-agent; the built system-managerd. The REST deaths route against s6-svdt,
// the crash-loop rule (3 deaths in a minute while wanted up) and "failed" as the dashboard's
// RemoteBackend reads them, and the same through /events.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "backend/RemoteBackend.h"
#include "daemon_support.h"
#include "live_sseclient.h"
#include "model/ModelJson.h"

#include <QJsonArray>

#include <optional>

using namespace sm;

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");
const QString kCrash = QStringLiteral("#!/bin/sh\necho crashing >&2\nexit 2\n");
const QString kExit3 = QStringLiteral("#!/bin/sh\nexit 3\n");
const QString kGiveUp = QStringLiteral("#!/bin/sh\nexec s6-permafailon 60 2 1-255 true\n");

QJsonObject json(const QString &text) {
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

// The `service` events of one service an SSE client has seen, oldest first.
QList<QJsonObject> serviceEvents(const SseTestClient &client, const QString &service) {
    QList<QJsonObject> out;
    for (const QString &data : client.data("service")) {
        const QJsonObject object = json(data);
        if (object.value("service") == service)
            out.append(object);
    }
    return out;
}

} // namespace

class LiveDeathsTest final : public QObject {
    Q_OBJECT

    S6Tree m_tree;
    AgentProcess m_agent;
    DaemonProcess m_daemon;
    std::unique_ptr<DaemonClient> m_client;
    std::unique_ptr<RemoteBackend> m_remote;
    SseTestClient m_events;

    // One Backend call, waited for.
    template <typename T, typename Call> std::optional<Result<T>> ask(Call call) {
        std::optional<Result<T>> result;
        QObject context;
        call(&context, [&result](Result<T> r) { result = std::move(r); });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000))
            return std::nullopt;
        return result;
    }
    // The service's status as the dashboard's remote mode reads it.
    ServiceStatus remoteStatus(const QString &service) {
        const auto r = ask<ServiceStatus>([&](QObject *context, auto done) {
            m_remote->status(context, "robot", service, done);
        });
        return r && r->ok() ? r->value() : ServiceStatus{};
    }
    QJsonObject restStatus(const QString &service) {
        return m_client->get("/containers/robot/services/" + service.toUtf8() + "/status").json();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        QVERIFY(m_tree.addService("steady", kSleep));
        QVERIFY(m_tree.addService("crashy", kCrash));
        S6ServiceOptions givesUp;
        givesUp.finishScript = kGiveUp;
        QVERIFY(m_tree.addService("givesup", kExit3, givesUp));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY2(m_agent.start(agentOptions(m_tree)), qPrintable(m_agent.errorString()));
        const QByteArray config =
            "containers:\n  robot:\n    socket_path: " + m_agent.socketPath().toUtf8() +
            "\ndocker:\n  socket_path: " + m_daemon.dir().toUtf8() + "/no-docker.sock\n";
        QVERIFY2(m_daemon.startWithConfig(config, {"--quiet"}), m_daemon.allStderr().constData());
        m_client = std::make_unique<DaemonClient>(m_daemon.baseUrl());
        m_remote = std::make_unique<RemoteBackend>(QUrl(m_daemon.baseUrl()));
        m_events.get(quint16(QUrl(m_daemon.baseUrl()).port()), "/events");
    }

    void cleanupTestCase() {
        m_remote.reset();
        m_client.reset();
        QCOMPARE(m_daemon.stop(), 0);
        QVERIFY(m_agent.stop());
        QVERIFY(m_tree.stop());
    }

    // Dying over and over while s6 wants it up is a crash loop; stopped, it is not, however
    // many deaths the minute still holds.
    void crashLoopWhileWantedUp() {
        QTRY_VERIFY_WITH_TIMEOUT(remoteStatus("crashy").crashLooping(), 15000);
        const ServiceStatus looping = remoteStatus("crashy");
        QVERIFY(looping.deathsLastMinute.value_or(0) >= 3);
        QCOMPARE(looping.wantUp, std::optional<bool>(true));
        QVERIFY(!looping.failed());
        QVERIFY(looping.lastDeath);
        QCOMPARE(looping.lastDeath->exitCode, std::optional<int>(2));
        // /events said so too, in a status like the REST one.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QJsonObject &e : serviceEvents(m_events, "crashy"))
                    if (e.value("deaths_last_minute").toInt() >= 3 && e.value("want_up").toBool())
                        return true;
                return false;
            }(),
            10000);

        QVERIFY(m_tree.svc("crashy", "-d"));
        QTRY_COMPARE_WITH_TIMEOUT(m_tree.svstat("crashy", {"-o", "up,wantedup"}),
                                  QStringLiteral("false false"), 10000);
        const ServiceStatus stopped = remoteStatus("crashy");
        QVERIFY(stopped.deathsLastMinute.value_or(0) >= 3);
        QCOMPARE(stopped.wantUp, std::optional<bool>(false));
        QVERIFY(!stopped.crashLooping());
        QVERIFY(!stopped.failed()); // stopped by hand: no finish script gave up
        QTRY_VERIFY_WITH_TIMEOUT(
            !serviceEvents(m_events, "crashy").isEmpty() &&
                !serviceEvents(m_events, "crashy").last().value("want_up").toBool(),
            10000);
    }

    void deathsMatchSvdt() {
        // crashy is stopped: its tally no longer changes.
        QTRY_VERIFY_WITH_TIMEOUT(!m_tree.isUp("crashy"), 10000);
        const DaemonAnswer a = m_client->get("/containers/robot/services/crashy/deaths");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body), QStringList({"container", "service", "deaths"}));
        QCOMPARE(a.json().value("container").toString(), QStringLiteral("robot"));
        QCOMPARE(a.json().value("service").toString(), QStringLiteral("crashy"));
        const QJsonArray expected = m_tree.svdtDeaths("crashy");
        // Three exits or more, and a SIGTERM if -d found it running.
        QVERIFY(expected.size() >= 3);
        for (const QJsonValue &death : expected)
            QVERIFY2(death.toObject().value("exit_code") == QJsonValue(2) ||
                         death.toObject().value("signal") == QJsonValue("SIGTERM"),
                     QJsonDocument(death.toObject()).toJson().constData());
        QCOMPARE(a.json().value("deaths").toArray(), expected);
        const QByteArray first = a.body.mid(a.body.indexOf("[{") + 1);
        QCOMPARE(keyOrder(first.left(first.indexOf('}') + 1)),
                 QStringList({"time", "exit_code", "signal"}));

        // The same through the dashboard's remote backend.
        const auto remote = ask<ServiceDeaths>([&](QObject *context, auto done) {
            m_remote->deaths(context, "robot", "crashy", done);
        });
        QVERIFY(remote && remote->ok());
        QCOMPARE(remote->value().deaths.size(), expected.size());
        QCOMPARE(toJson(remote->value()), a.body);

        // A service that never died.
        QCOMPARE(m_client->get("/containers/robot/services/steady/deaths").body,
                 QByteArray(R"({"container":"robot","service":"steady","deaths":[]})"));
    }

    void deathsErrors() {
        DaemonAnswer a = m_client->get("/containers/nope/services/crashy/deaths");
        QCOMPARE(a.status, 404);
        QCOMPARE(a.json().value("error").toString(), QStringLiteral("Container 'nope' not found"));
        QCOMPARE(keyOrder(a.body), QStringList({"error", "detail"}));
        a = m_client->get("/containers/robot/services/nope/deaths");
        QCOMPARE(a.status, 404);
        QCOMPARE(a.json().value("error").toString(),
                 QStringLiteral("Service nope does not exist."));
        a = m_client->get("/containers/robot/services/a..b/deaths");
        QCOMPARE(a.status, 422);
        QCOMPARE(errorshape::invalidField(a.json()), QStringLiteral("service"));
        QCOMPARE(errorshape::invalidType(a.json()), QStringLiteral("string_pattern_mismatch"));
        a = m_client->call("DELETE", "/containers/robot/services/crashy/deaths");
        QCOMPARE(a.status, 405);
        QCOMPARE(a.header("allow"), QByteArray("GET, OPTIONS"));
        const QJsonObject doc = m_client->get("/openapi.json").json();
        const QJsonObject op = doc.value("paths")
                                   .toObject()
                                   .value("/containers/{container}/services/{service}/deaths")
                                   .toObject()
                                   .value("get")
                                   .toObject();
        QCOMPARE(op.value("operationId").toString(),
                 QStringLiteral("get_service_deaths_containers__container__services__service__"
                                "deaths_get"));
        QVERIFY(op.value("responses").toObject().contains("501"));
    }

    // s6-permafailon in the finish script stopped it: failed, neither a crash loop nor a
    // plain down.
    void failedAfterPermafailon() {
        QTRY_VERIFY_WITH_TIMEOUT(remoteStatus("givesup").failed(), 15000);
        QCOMPARE(m_tree.svstat("givesup", {"-o", "up,wantedup"}), QStringLiteral("false false"));
        const ServiceStatus s = remoteStatus("givesup");
        QVERIFY(!s.crashLooping());
        QCOMPARE(s.exitCode, std::optional<int>(3));
        QCOMPARE(s.deathsLastMinute, std::optional<int>(2));
        QCOMPARE(s.deathsLastHour, std::optional<int>(2));

        const DaemonAnswer a = m_client->get("/containers/robot/services/givesup/status");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body).mid(15),
                 QStringList({"deaths_last_minute", "last_death", "deaths_last_hour", "failed"}));
        QCOMPARE(a.json().value("failed"), QJsonValue(true));
        QCOMPARE(a.json().value("last_death").toObject(),
                 m_tree.svdtDeaths("givesup").first().toObject());
        QCOMPARE(m_client->get("/containers/robot/services/givesup/deaths")
                     .json()
                     .value("deaths")
                     .toArray(),
                 m_tree.svdtDeaths("givesup"));
        // Pushed through /events as well.
        QTRY_VERIFY_WITH_TIMEOUT(!serviceEvents(m_events, "givesup").isEmpty() &&
                                     serviceEvents(m_events, "givesup").last().value("failed") ==
                                         QJsonValue(true),
                                 10000);
        // The others are not failed.
        QCOMPARE(restStatus("steady").value("failed"), QJsonValue(false));
        QCOMPARE(restStatus("crashy").value("failed"), QJsonValue(false));
    }
};

QTEST_GUILESS_MAIN(LiveDeathsTest)
#include "live_deaths.moc"

// RemoteBackend against a scripted HTTP peer: REST shapes, the error envelope, link failures,
// timeouts, tokens, /events and SSE log streams.
#include "backend/RemoteBackend.h"
#include "gui_http_peer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace sm;

namespace {
const QByteArray kStatuses =
    R"({"container":"ai_worker","statuses":[{"container":"ai_worker","service":"svc","service_label":"Service","name":"svc","raw":"up (pid 12) 3 seconds","is_up":true,"pid":12,"uptime_seconds":3,"normally_up":true,"want_up":true,"ready":null,"paused":false,"exit_code":null,"signal":null,"since":"2026-11-26T10:00:00Z"}]})";

template <typename T> struct Answer {
    std::optional<Result<T>> result;
    auto callback() {
        return [this](Result<T> r) { result = std::move(r); };
    }
};
} // namespace

class GuiRemoteBackendTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void statusesWithToken() {
        HttpPeer peer;
        peer.route("GET /containers/ai_worker/services/status",
                   {200, "application/json", kStatuses});
        RemoteBackend backend(peer.url(), "s3cret");
        Answer<QList<ServiceStatus>> answer;
        backend.statuses(this, "ai_worker", answer.callback());
        QVERIFY(!answer.result); // never inside the call
        QTRY_VERIFY(answer.result);
        QVERIFY(answer.result->ok());
        const ServiceStatus s = answer.result->value().at(0);
        QCOMPARE(s.service, "svc");
        QCOMPARE(s.serviceLabel, "Service");
        QCOMPARE(s.pid.value_or(-1), qint64(12));
        QCOMPARE(s.normallyUp.value_or(false), true);
        QCOMPARE(peer.requests.at(0).headers.value("authorization"), "Bearer s3cret");
        QVERIFY(backend.isConnected());
    }

    void errorEnvelopeKeepsStatusAndMessage_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::addRow("404") << 404
                             << QByteArray(R"({"error":"Container 'x' not found","detail":null})")
                             << "Container 'x' not found";
        QTest::addRow("504")
            << 504
            << QByteArray(
                   R"({"error":"Agent for container 'x' did not answer within 5000 ms","detail":null})")
            << "Agent for container 'x' did not answer within 5000 ms";
        QTest::addRow("plain text") << 502 << QByteArray("Bad gateway from proxy")
                                    << "HTTP 502 from %1: Bad gateway from proxy";
    }
    void errorEnvelopeKeepsStatusAndMessage() {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        HttpPeer peer;
        peer.route("GET /containers/x/services/status", {status, "application/json", body});
        RemoteBackend backend(peer.url());
        Answer<QList<ServiceStatus>> answer;
        backend.statuses(this, "x", answer.callback());
        QTRY_VERIFY(answer.result);
        QVERIFY(!answer.result->ok());
        QCOMPARE(answer.result->error().status, status);
        QCOMPARE(answer.result->error().message,
                 message.contains("%1") ? message.arg(peer.url().toString()) : message);
        QVERIFY(backend.isConnected()); // the daemon answered: the link is fine
    }

    void unreachableDaemonIs503AndLinkDown() {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        RemoteBackend backend(QUrl(QString("http://127.0.0.1:%1").arg(port)));
        QSignalSpy link(&backend, &Backend::connectionChanged);
        Answer<QList<ContainerInfo>> answer;
        backend.containers(this, answer.callback());
        QTRY_VERIFY(answer.result);
        QCOMPARE(answer.result->error().status, 503);
        QVERIFY2(answer.result->error().message.startsWith("Cannot reach system-managerd at"),
                 qPrintable(answer.result->error().message));
        QCOMPARE(link.count(), 1);
        QCOMPARE(link.at(0).at(0).toBool(), false);
    }

    void hungDaemonTimesOutAs504() {
        HttpPeer peer;
        peer.route("GET /containers", {200, "application/json", {}, true, false});
        RemoteBackend backend(peer.url());
        backend.setRequestTimeout(300);
        Answer<QList<ContainerInfo>> answer;
        QElapsedTimer clock;
        clock.start();
        backend.containers(this, answer.callback());
        QTRY_VERIFY_WITH_TIMEOUT(answer.result, 5000);
        QCOMPARE(answer.result->error().status, 504);
        QVERIFY(clock.elapsed() >= 250);
        // The client's own deadline ended it: the daemon took the request and never answered.
        QCOMPARE(
            answer.result->error().message,
            QString("system-managerd at %1 did not answer in time").arg(peer.url().toString()));
        QCOMPARE(peer.requests.size(), 1);
    }

    void controlPostsTheAction() {
        HttpPeer peer;
        peer.route(
            "POST /containers/ai%20worker/services/svc",
            {200, "application/json",
             R"({"container":"ai worker","service":"svc","action":"restart","result":"ok"})"});
        RemoteBackend backend(peer.url());
        Answer<ControlResult> answer;
        backend.control(this, "ai worker", "svc", "restart", answer.callback());
        QTRY_VERIFY(answer.result);
        QVERIFY(answer.result->ok());
        QCOMPARE(answer.result->value().action, "restart");
        QCOMPARE(
            QJsonDocument::fromJson(peer.requests.at(0).body).object().value("action").toString(),
            "restart");
        QCOMPARE(peer.requests.at(0).headers.value("content-type"), "application/json");
    }

    void deathsAndDeathFields() {
        HttpPeer peer;
        peer.route(
            "GET /containers/ai_worker/services/crasher/deaths",
            {200, "application/json",
             R"({"container":"ai_worker","service":"crasher","deaths":[{"time":"2026-01-07T10:00:02Z","exit_code":3,"signal":null}]})"});
        peer.route(
            "GET /containers/ai_worker/services/old/deaths",
            {501, "application/json",
             "{\"error\":\"Agent for container 'ai_worker' cannot list deaths: its s6-agent is "
             "older than this system-managerd's; update it\",\"detail\":null}"});
        peer.route(
            "GET /containers/ai_worker/services/crasher/status",
            {200, "application/json",
             R"({"container":"ai_worker","service":"crasher","service_label":"crasher","name":"crasher","raw":"down (exitcode 4) 0 seconds, normally up","is_up":false,"pid":null,"uptime_seconds":0,"normally_up":true,"want_up":false,"ready":true,"paused":false,"exit_code":4,"signal":null,"since":"2026-01-07T10:00:02Z","deaths_last_minute":3,"last_death":{"time":"2026-01-07T10:00:02Z","exit_code":4,"signal":null},"deaths_last_hour":6,"failed":true})"});
        RemoteBackend backend(peer.url());
        Answer<ServiceDeaths> deaths;
        backend.deaths(this, "ai_worker", "crasher", deaths.callback());
        QTRY_VERIFY(deaths.result);
        QVERIFY(deaths.result->ok());
        QCOMPARE(deaths.result->value().container, "ai_worker");
        QCOMPARE(deaths.result->value().deaths.size(), 1);
        QCOMPARE(deaths.result->value().deaths.first().exitCode, std::optional<int>(3));

        Answer<ServiceDeaths> old;
        backend.deaths(this, "ai_worker", "old", old.callback());
        QTRY_VERIFY(old.result);
        QCOMPARE(old.result->error().status, 501);
        QVERIFY(old.result->error().message.contains("older"));

        Answer<ServiceStatus> status;
        backend.status(this, "ai_worker", "crasher", status.callback());
        QTRY_VERIFY(status.result);
        QVERIFY(status.result->ok());
        const ServiceStatus &s = status.result->value();
        QCOMPARE(s.deathsLastHour, std::optional<int>(6));
        QVERIFY(s.failed());
        QVERIFY(!s.crashLooping()); // not wanted up
        QVERIFY(s.otherFields.isEmpty());
    }

    void malformedAnswerIs502() {
        HttpPeer peer;
        peer.route("GET /containers", {200, "application/json", "not json"});
        RemoteBackend backend(peer.url());
        Answer<QList<ContainerInfo>> answer;
        backend.containers(this, answer.callback());
        QTRY_VERIFY(answer.result);
        QCOMPARE(answer.result->error().status, 502);
    }

    void droppedContextDropsTheCallback() {
        HttpPeer peer;
        peer.route("GET /containers", {200, "application/json", R"({"containers":[]})"});
        RemoteBackend backend(peer.url());
        bool called = false;
        auto *context = new QObject;
        backend.containers(context, [&](Result<QList<ContainerInfo>>) { called = true; });
        delete context;
        QTRY_COMPARE(peer.requests.size(), 1);
        Answer<QList<ContainerInfo>> after;
        backend.containers(this, after.callback());
        QTRY_VERIFY(after.result);
        QVERIFY(!called);
    }

    void eventsBecomeSignals() {
        HttpPeer peer;
        peer.route("GET /events", {200, "text/event-stream", ": hello\n\n", false, true});
        peer.route(
            "GET /healthz",
            {200, "application/json",
             R"({"status":"ok","agents":{"ai_worker":"reachable"},"docker":"unavailable"})"});
        RemoteBackend backend(peer.url());
        QSignalSpy services(&backend, &Backend::serviceChanged);
        QSignalSpy agents(&backend, &Backend::agentReachabilityChanged);
        QSignalSpy docker(&backend, &Backend::dockerEvent);
        QSignalSpy removed(&backend, &Backend::serviceRemoved);
        backend.start();
        QTRY_COMPARE(peer.openStreams(), 1);
        QTRY_VERIFY(backend.isStreamingEvents());
        QTRY_COMPARE(agents.count(), 1); // from the health poll
        QCOMPARE(agents.at(0).at(0).toString(), "ai_worker");
        QCOMPARE(agents.at(0).at(1).toBool(), true);
        const QByteArray status =
            QJsonDocument(QJsonDocument::fromJson(kStatuses)["statuses"].toArray().at(0).toObject())
                .toJson(QJsonDocument::Compact);
        peer.push("event: service\ndata: " + status + "\n\n");
        peer.push("event: agent\ndata: {\"container\":\"ai_worker\",\"reachable\":false}\n\n");
        peer.push(
            "event: service_removed\ndata: {\"container\":\"ai_worker\",\"service\":\"old\"}\n\n");
        peer.push(
            "event: docker\ndata: "
            "{\"container\":\"web\",\"action\":\"die\",\"time\":\"2026-11-26T10:00:00Z\"}\n\n");
        QTRY_COMPARE(docker.count(), 1);
        QCOMPARE(services.count(), 1);
        QCOMPARE(services.at(0).at(0).value<ServiceStatus>().pid.value_or(-1), qint64(12));
        QCOMPARE(agents.count(), 2);
        QCOMPARE(agents.at(1).at(1).toBool(), false);
        QCOMPARE(docker.at(0).at(0).value<DockerEvent>().action, "die");
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(0).toString(), "ai_worker");
        QCOMPARE(removed.at(0).at(1).toString(), "old");

        // The stream breaks: the backend comes back by itself.
        const int before = int(peer.requests.size());
        peer.closeStreams();
        QTRY_VERIFY(!backend.isStreamingEvents());
        QTRY_VERIFY_WITH_TIMEOUT(peer.openStreams() == 1 && peer.requests.size() > before, 5000);
        QVERIFY(!peer.requests.last().headers.contains("last-event-id")); // none was sent

        // Once the daemon has named an event, a reconnection says where the client was.
        peer.push("id: run.7\n\n");
        QTRY_VERIFY(backend.isStreamingEvents());
        const int named = int(peer.requests.size());
        peer.closeStreams();
        QTRY_VERIFY_WITH_TIMEOUT(peer.openStreams() == 1 && peer.requests.size() > named, 5000);
        QCOMPARE(peer.requests.last().headers.value("last-event-id"), QByteArray("run.7"));
    }

    void followLogsOverSse() {
        HttpPeer peer;
        peer.route("GET /containers/c/services/s/logs",
                   {200, "text/event-stream", "event: log\ndata: first\n\n", false, true});
        RemoteBackend backend(peer.url());
        std::unique_ptr<LogStream> stream(backend.followLogs("c", "s", 50));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QTRY_COMPARE(lines.count(), 1);
        QCOMPARE(lines.at(0).at(0).toString(), "first");
        QVERIFY(peer.requests.at(0).target.contains("follow=true"));
        QVERIFY(peer.requests.at(0).target.contains("tail=50"));
        peer.push("event: log\ndata: \x1b[32msecond\x1b[0m\n\n: heartbeat\n\n");
        QTRY_COMPARE(lines.count(), 2);
        QCOMPARE(lines.at(1).at(0).toString(), "\x1b[32msecond\x1b[0m");
        peer.closeStreams();
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).value<ApiError>().status, 0);
    }

    void followLogsSourceErrorEndsTheStream() {
        HttpPeer peer;
        peer.route("GET /containers/c/services/s/logs",
                   {200, "text/event-stream",
                    "event: log\ndata: last\n\nevent: error\ndata: {\"error\":\"Agent for "
                    "container 'c' is unreachable: connection reset\",\"detail\":null}\n\n",
                    false, true});
        RemoteBackend backend(peer.url());
        std::unique_ptr<LogStream> stream(backend.followLogs("c", "s", 10));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QTRY_COMPARE(lines.count(), 1);
        peer.closeStreams();
        QTRY_COMPARE(finished.count(), 1);
        const ApiError error = finished.at(0).at(0).value<ApiError>();
        QCOMPARE(error.status, 502);
        QCOMPARE(error.message, "Agent for container 'c' is unreachable: connection reset");
    }

    void followLogsWithoutStreamingDaemon() {
        HttpPeer peer;
        peer.route("GET /docker/containers/web/logs",
                   {200, "application/json", R"({"container":"web","logs":"a\nb\n","tail":100})"});
        RemoteBackend backend(peer.url());
        std::unique_ptr<LogStream> stream(backend.followDockerLogs("web", 100));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(lines.count(), 2);
        QCOMPARE(finished.at(0).at(0).value<ApiError>().status, 501);
    }

    void followLogsError() {
        HttpPeer peer;
        peer.route(
            "GET /containers/c/services/nope/logs",
            {404, "application/json", R"({"error":"Service 'nope' not found","detail":null})"});
        RemoteBackend backend(peer.url());
        std::unique_ptr<LogStream> stream(backend.followLogs("c", "nope", 10));
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).value<ApiError>().status, 404);
        QCOMPARE(finished.at(0).at(0).value<ApiError>().message, "Service 'nope' not found");
    }
};

QTEST_GUILESS_MAIN(GuiRemoteBackendTest)
#include "gui_remote_backend.moc"

// Fault tests of AgentClient and LocalBackend against a purpose-built peer that plays a broken
// or unusual agent: every row of rest-api.md's error table that an agent can cause.
#include "agents/AgentClient.h"
#include "backend/LocalBackend.h"
#include "core_http_peer.h"
#include "model/ModelJson.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace sm;

namespace {

// Holds one backend answer and signals its arrival.
template <typename T> class Waiter final {
public:
    std::optional<Result<T>> result;
    Backend::Callback<T> callback() {
        return [this](Result<T> r) { result.emplace(std::move(r)); };
    }
};

SystemConfig configFor(const QString &socket, int timeoutMs = 2000) {
    SystemConfig c;
    ContainerConfig worker;
    worker.name = QStringLiteral("ai_worker");
    worker.socketPath = socket;
    worker.services = {{"ros_bridge", "ROS Bridge"}};
    c.containers = {worker};
    c.api.requestTimeoutMs = timeoutMs;
    c.api.listenHost = QStringLiteral("127.0.0.1");
    return c;
}

const QByteArray kStatus =
    "{\"name\":\"ros_bridge\",\"raw\":\"up (pid 9) 3 seconds\",\"is_up\":true,"
    "\"pid\":9,\"uptime_seconds\":3}";

const QByteArray kEventStreamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n";

QByteArray chunk(const QByteArray &data) {
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

} // namespace

class AgentErrorsTest final : public QObject {
    Q_OBJECT
private:
    // Runs `call` against a peer answering every request with `reply`, returns the ApiError.
    ApiError failureFor(const QByteArray &reply) {
        TestPeer peer;
        peer.setHandler([reply](QLocalSocket *s, const QByteArray &) { s->write(reply); });
        LocalBackend backend(configFor(peer.path()));
        Waiter<ServiceStatus> w;
        backend.status(this, "ai_worker", "ros_bridge", w.callback());
        if (!QTest::qWaitFor([&] { return w.result.has_value(); }, 5000))
            return ApiError{0, QStringLiteral("no answer"), {}};
        return w.result->ok() ? ApiError{200, {}, {}} : w.result->error();
    }

private slots:
    void statusGetsLabelAndContainer() {
        TestPeer peer;
        peer.setHandler(
            [](QLocalSocket *s, const QByteArray &) { s->write(TestPeer::json(kStatus)); });
        LocalBackend backend(configFor(peer.path()));
        Waiter<ServiceStatus> w;
        backend.status(this, "ai_worker", "ros_bridge", w.callback());
        QVERIFY(!w.result); // never answered inside the call
        QTRY_VERIFY(w.result);
        QVERIFY(w.result->ok());
        QCOMPARE(
            toJson(w.result->value()),
            QByteArray(
                "{\"container\":\"ai_worker\",\"service\":\"ros_bridge\","
                "\"service_label\":\"ROS Bridge\",\"name\":\"ros_bridge\","
                "\"raw\":\"up (pid 9) 3 seconds\",\"is_up\":true,\"pid\":9,\"uptime_seconds\":3}"));
        QVERIFY(peer.requests().at(0).startsWith("GET /services/ros_bridge/status HTTP/1.1"));
    }

    void repeatedListsFollowEveryChange() {
        // An answer for all services that is byte for byte the last one is not spliced again;
        // any change in the bytes is.
        const QByteArray up =
            R"({"name":"ros_bridge","raw":"up (pid 9) 3 seconds","is_up":true,"pid":9,)"
            R"("uptime_seconds":3,"normally_up":true,"want_up":true,"ready":false,"paused":false,)"
            R"("exit_code":null,"signal":null,"since":"2026-01-02T03:04:05Z","deaths_last_minute":0,)"
            R"("last_death":null,"deaths_last_hour":0,"failed":false})";
        QByteArray later = up;
        later.replace("3 seconds", "4 seconds")
            .replace("\"uptime_seconds\":3", "\"uptime_seconds\":4");
        const QList<QByteArray> bodies = {up, up, later, up};
        int asked = 0;
        TestPeer peer;
        peer.setHandler([&](QLocalSocket *s, const QByteArray &) {
            s->write(TestPeer::json("{\"statuses\":[" + bodies.at(asked++ % bodies.size()) + "]}"));
        });
        LocalBackend backend(configFor(peer.path()));
        QList<QByteArray> got;
        for (int i = 0; i < bodies.size(); ++i) {
            Waiter<StatusJson> w;
            backend.statusesJson(this, "ai_worker", w.callback());
            QTRY_VERIFY(w.result);
            QVERIFY(w.result->ok());
            got.append(w.result->value().json);
        }
        const auto rest = [](const QByteArray &object) {
            auto s = serviceStatusFromAgent(QJsonDocument::fromJson(object).object()).value();
            s.container = QStringLiteral("ai_worker");
            s.service = s.name;
            s.serviceLabel = QStringLiteral("ROS Bridge");
            return toJsonArray(QList<ServiceStatus>{s});
        };
        QCOMPARE(got, (QList<QByteArray>{rest(up), rest(up), rest(later), rest(up)}));
        QVERIFY(got.at(1) != got.at(2));
    }

    void mapping_data() {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addRow("404 kept") << TestPeer::json(
                                         "{\"error\":\"Service 'x' not found\",\"detail\":null}",
                                         404)
                                  << 404 << "Service 'x' not found";
        QTest::addRow("409 passes")
            << TestPeer::json("{\"error\":\"Service 'x' is not supervised\",\"detail\":null}", 409)
            << 409 << "Service 'x' is not supervised";
        QTest::addRow("422 passes")
            << TestPeer::json("{\"error\":\"Bad action\",\"detail\":\"action\"}", 422) << 422
            << "Bad action";
        QTest::addRow("500 is 502")
            << TestPeer::json("{\"error\":\"disk on fire\",\"detail\":null}", 500) << 502
            << "Agent for container 'ai_worker' failed: disk on fire";
        QTest::addRow("503 text is 502")
            << QByteArray("HTTP/1.1 503 X\r\nContent-Length: 4\r\n\r\nbusy") << 502
            << "Agent for container 'ai_worker' failed: HTTP status 503";
        QTest::addRow("not JSON") << TestPeer::json("<html>") << 502
                                  << "Agent for container 'ai_worker' sent an invalid answer";
        QTest::addRow("JSON array") << TestPeer::json("[1]") << 502 << "not a JSON object";
        QTest::addRow("bad status object")
            << TestPeer::json("{\"name\":\"x\"}") << 502 << "field 'raw'";
        // One status has no reason to be large: past 64 KiB it is refused unparsed.
        QTest::addRow("status over 64 KiB")
            << TestPeer::json("{\"name\":\"ros_bridge\",\"raw\":\"" + QByteArray(70 * 1024, 'x') +
                              "\",\"is_up\":true,\"pid\":9,\"uptime_seconds\":3}")
            << 502 << "Agent for container 'ai_worker' sent an invalid answer";
        QTest::addRow("not HTTP")
            << QByteArray("hello\r\n\r\n") << 502
            << "Agent for container 'ai_worker' sent an invalid answer: invalid HTTP";
    }
    void mapping() {
        QFETCH(QByteArray, reply);
        QFETCH(int, status);
        QFETCH(QString, message);
        const ApiError e = failureFor(reply);
        QCOMPARE(e.status, status);
        QVERIFY2(e.message.contains(message), qPrintable(e.message));
    }

    // GET .../deaths: a 404 that means the route is unknown (an agent older than the route:
    // the original's FastAPI answer, or this project's "No such route") is 501, saying so;
    // the agent's unknown service stays 404; an answer is read newest first as sent.
    void deaths_data() {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addRow("original agent")
            << TestPeer::json("{\"detail\":\"Not Found\"}", 404) << 501
            << "Agent for container 'ai_worker' cannot list deaths: its s6-agent is older";
        QTest::addRow("older agent") << TestPeer::json("{\"error\":\"No such route: "
                                                       "/services/ros_bridge/deaths.\",\"detail\""
                                                       ":null}",
                                                       404)
                                     << 501 << "cannot list deaths";
        QTest::addRow("unknown service")
            << TestPeer::json("{\"error\":\"Service ros_bridge does not exist.\",\"detail\":null}",
                              404)
            << 404 << "Service ros_bridge does not exist.";
        QTest::addRow("unreadable tally")
            << TestPeer::json("{\"error\":\"The death tally of ros_bridge is malformed.\","
                              "\"detail\":null}",
                              500)
            << 502 << "malformed";
        QTest::addRow("not a list")
            << TestPeer::json("{\"service\":\"ros_bridge\",\"deaths\":{}}") << 502
            << "Agent for container 'ai_worker' sent an invalid answer";
        QTest::addRow("deaths")
            << TestPeer::json("{\"service\":\"ros_bridge\",\"deaths\":[{\"time\":\"2026-01-"
                              "07T10:00:02Z\",\"exit_code\":3,\"signal\":null},{\"time\":"
                              "\"2026-01-07T10:00:01Z\",\"exit_code\":null,\"signal\":"
                              "\"SIGKILL\"}]}")
            << 200
            << "{\"container\":\"ai_worker\",\"service\":\"ros_bridge\","
               "\"deaths\":[{\"time\":\"2026-01-07T10:00:02Z\",\"exit_code\":3,"
               "\"signal\":null},{\"time\":\"2026-01-07T10:00:01Z\",\"exit_"
               "code\":null,\"signal\":\"SIGKILL\"}]}";
    }
    void deaths() {
        QFETCH(QByteArray, reply);
        QFETCH(int, status);
        QFETCH(QString, message);
        TestPeer peer;
        peer.setHandler([reply](QLocalSocket *s, const QByteArray &) { s->write(reply); });
        LocalBackend backend(configFor(peer.path()));
        Waiter<ServiceDeaths> w;
        backend.deaths(this, "ai_worker", "ros_bridge", w.callback());
        QTRY_VERIFY(w.result);
        QVERIFY(peer.requests().at(0).startsWith("GET /services/ros_bridge/deaths HTTP/1.1"));
        if (status == 200) {
            QVERIFY2(w.result->ok(),
                     qPrintable(w.result->ok() ? QString() : w.result->error().message));
            QCOMPARE(QString::fromUtf8(toJson(w.result->value())), message);
            return;
        }
        QVERIFY(!w.result->ok());
        QCOMPARE(w.result->error().status, status);
        QVERIFY2(w.result->error().message.contains(message),
                 qPrintable(w.result->error().message));
    }

    void unprocessableDetailPassesThrough() {
        const ApiError e = failureFor(
            TestPeer::json("{\"error\":\"Bad\",\"detail\":{\"field\":\"action\"}}", 422));
        QCOMPARE(e.detail.toObject().value("field").toString(), QStringLiteral("action"));
    }

    void missingSocketIs503() {
        QTemporaryDir dir;
        LocalBackend backend(configFor(dir.filePath("s6_agent.sock")));
        Waiter<QList<ServiceInfo>> w;
        backend.services(this, "ai_worker", w.callback());
        QTRY_VERIFY(w.result);
        QCOMPARE(w.result->error().status, 503);
        QVERIFY(w.result->error().message.startsWith(
            "Agent for container 'ai_worker' is unreachable: "));
    }

    void silentAgentIs504() {
        TestPeer peer;
        LocalBackend backend(configFor(peer.path(), 200));
        Waiter<QList<ServiceStatus>> w;
        backend.statuses(this, "ai_worker", w.callback());
        QTRY_VERIFY(w.result);
        QCOMPARE(w.result->error().status, 504);
        QCOMPARE(w.result->error().message,
                 QStringLiteral("Agent for container 'ai_worker' did not answer within 200 ms"));
    }

    void closedMidAnswerIs502() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            TestPeer::writeInPieces(s, {"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"}, true);
        });
        LocalBackend backend(configFor(peer.path()));
        Waiter<RunScript> w;
        backend.runScript(this, "ai_worker", "ros_bridge", w.callback());
        QTRY_VERIFY(w.result);
        QCOMPARE(w.result->error().status, 502);
    }

    void unknownContainerIs404() {
        LocalBackend backend(configFor("/nonexistent.sock"));
        Waiter<LogChunk> w;
        backend.logs(this, "nope", "svc", LogQuery{}, w.callback());
        QVERIFY(!w.result);
        QTRY_VERIFY(w.result);
        QCOMPARE(w.result->error().status, 404);
        QCOMPARE(w.result->error().message, QStringLiteral("Container 'nope' not found"));
        std::unique_ptr<LogStream> stream(backend.followLogs("nope", "svc", 10));
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QVERIFY(finished.wait());
        QCOMPARE(finished.at(0).at(0).value<ApiError>().status, 404);
    }

    void badActionIs422() {
        LocalBackend backend(configFor("/nonexistent.sock"));
        Waiter<ControlResult> w;
        backend.control(this, "ai_worker", "svc", "bogus", w.callback());
        QTRY_VERIFY(w.result);
        QCOMPARE(w.result->error().status, 422);
        QCOMPARE(w.result->error().detail.toString(), QStringLiteral("action"));
    }

    void requestsAreWellFormed() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &request) {
            if (request.startsWith("GET /services/a%20b/logs"))
                s->write(TestPeer::json(
                    "{\"service\":\"a b\",\"logs\":\"x\\n\",\"cursor\":12,\"log_path\":\"/l\"}"));
            else
                s->write(TestPeer::json(
                    "{\"service\":\"a b\",\"path\":\"/p\",\"content\":\"#!/bin/sh\\n\"}"));
        });
        LocalBackend backend(configFor(peer.path()));
        Waiter<LogChunk> logs;
        LogQuery q;
        q.cursor = 5;
        q.stripAnsi = true;
        backend.logs(this, "ai_worker", "a b", q, logs.callback());
        QTRY_VERIFY(logs.result);
        QVERIFY(logs.result->ok());
        QCOMPARE(logs.result->value().cursor, std::optional<qint64>(12));
        QVERIFY(
            peer.requests().at(0).startsWith("GET /services/a%20b/logs?cursor=5&strip_ansi=true "));
        Waiter<RunScript> run;
        backend.setRunScript(this, "ai_worker", "a b", "#!/bin/sh\n", run.callback());
        QTRY_VERIFY(run.result);
        QVERIFY(run.result->ok());
        QCOMPARE(run.result->value().container, QStringLiteral("ai_worker"));
        QVERIFY(peer.requests().at(1).startsWith("PUT /services/a%20b/run "));
        QVERIFY(peer.requests().at(1).endsWith("{\"content\":\"#!/bin/sh\\n\"}"));
    }

    void followSplitsLinesAcrossChunks() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            TestPeer::writeInPieces(s, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                                        "4\r\none\n\r\n", "3\r\ntwo\r\n", "7\r\n\r\nthree\r\n",
                                        "5\r\n\nlast\r\n0\r\n\r\n"});
        });
        LocalBackend backend(configFor(peer.path()));
        std::unique_ptr<LogStream> stream(backend.followLogs("ai_worker", "svc", 5));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QVERIFY(finished.wait());
        QCOMPARE(finished.at(0).at(0).value<ApiError>().status, 0);
        QStringList got;
        for (const auto &args : lines)
            got.append(args.at(0).toString());
        QCOMPARE(got, (QStringList{"one", "two", "three", "last"}));
        QVERIFY(peer.requests().at(0).startsWith("GET /services/svc/logs?follow=true&tail=5 "));
    }

    void followDeletedFromItsOwnLineSlot() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            s->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\na\nb\nc\nd\ne\r\n");
        });
        LocalBackend backend(configFor(peer.path()));
        QPointer<LogStream> stream = backend.followLogs("ai_worker", "svc", 5);
        int lines = 0;
        connect(stream, &LogStream::line, this, [&] {
            ++lines;
            delete stream.data(); // a viewer closing on the first line
        });
        QTRY_VERIFY(!stream);
        QCOMPARE(lines, 1);
        QTRY_COMPARE(peer.open(), 0);
    }

    void followOfMissingServiceEndsWith404() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            s->write(
                TestPeer::json("{\"error\":\"No log for service 'svc'\",\"detail\":null}", 404));
        });
        LocalBackend backend(configFor(peer.path()));
        std::unique_ptr<LogStream> stream(backend.followLogs("ai_worker", "svc", 5));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QVERIFY(finished.wait());
        const auto e = finished.at(0).at(0).value<ApiError>();
        QCOMPARE(e.status, 404);
        QCOMPARE(e.message, QStringLiteral("No log for service 'svc'"));
        QCOMPARE(lines.size(), 0);
    }

    void healthReportsEachAgent() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            s->write(TestPeer::json("{\"message\":\"s6 Agent API\",\"version\":\"0.1.0\"}"));
        });
        SystemConfig config = configFor(peer.path());
        ContainerConfig dead;
        dead.name = QStringLiteral("gone");
        dead.socketPath = QStringLiteral("/nonexistent/s6_agent.sock");
        config.containers.append(dead);
        LocalBackend backend(config);
        Waiter<Health> w;
        backend.health(this, w.callback());
        QTRY_VERIFY(w.result);
        QVERIFY(w.result->ok());
        QCOMPARE(toJson(w.result->value()),
                 QByteArray("{\"status\":\"ok\",\"agents\":{\"ai_worker\":\"reachable\",\"gone\":"
                            "\"unreachable\"},"
                            "\"docker\":\"unavailable\"}"));
    }

    void silentEventStreamIs504() {
        // An agent that hangs with its socket open: one event, then not even a heartbeat.
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            s->write(kEventStreamHead + chunk("event: service\ndata: " + kStatus + "\n\n"));
        });
        AgentClient client(QStringLiteral("ai_worker"), peer.path());
        client.setEventsIdleMs(300);
        std::unique_ptr<ServiceFeed> feed(client.watchServices({}));
        QSignalSpy changed(feed.get(), &ServiceFeed::changed);
        QSignalSpy finished(feed.get(), &ServiceFeed::finished);
        QVERIFY(finished.wait(10000));
        const auto e = finished.at(0).at(0).value<ApiError>();
        QCOMPARE(e.status, 504);
        QCOMPARE(e.message, QStringLiteral("Agent for container 'ai_worker' sent nothing on its "
                                           "event stream for 0.3 s"));
        QCOMPARE(changed.size(), 1);
        feed.reset(); // the owner lets it go, and the connection with it
        QTRY_COMPARE(peer.open(), 0);
    }

    void heartbeatsKeepEventStreamOpen() {
        TestPeer peer;
        auto pings = std::make_shared<int>(0);
        QPointer<QTimer> heartbeat;
        peer.setHandler([&heartbeat, pings](QLocalSocket *s, const QByteArray &) {
            s->write(kEventStreamHead);
            heartbeat = new QTimer(s);
            connect(heartbeat, &QTimer::timeout, s, [s, pings] {
                s->write(chunk(": ping\n\n"));
                ++*pings;
            });
            heartbeat->start(20);
        });
        AgentClient client(QStringLiteral("ai_worker"), peer.path());
        // Far above the heartbeat: the idle timer and the heartbeats share this test's loop, and
        // a loaded machine may hold that loop up for a while.
        client.setEventsIdleMs(2000);
        std::unique_ptr<ServiceFeed> feed(client.watchServices({}));
        QSignalSpy finished(feed.get(), &ServiceFeed::finished);
        // Twice the bound's worth of heartbeats and no event: the stream stays open.
        QTRY_VERIFY_WITH_TIMEOUT(*pings >= 200, 30000);
        QCOMPARE(finished.size(), 0);
        QVERIFY(heartbeat);
        heartbeat->stop(); // now it hangs
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).value<ApiError>().status, 504);
    }

    void noAnswerAfterContextDies() {
        TestPeer peer;
        peer.setHandler(
            [](QLocalSocket *s, const QByteArray &) { s->write(TestPeer::json(kStatus)); });
        LocalBackend backend(configFor(peer.path()));
        bool called = false;
        auto context = std::make_unique<QObject>();
        backend.status(context.get(), "ai_worker", "ros_bridge",
                       [&](Result<ServiceStatus>) { called = true; });
        backend.status(context.get(), "nope", "x", [&](Result<ServiceStatus>) { called = true; });
        context.reset();
        Waiter<ServiceStatus> after;
        backend.status(this, "ai_worker", "ros_bridge", after.callback());
        QTRY_VERIFY(after.result);
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(AgentErrorsTest)
#include "core_agent_errors.moc"

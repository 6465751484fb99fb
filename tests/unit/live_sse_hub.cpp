// GET /events and log follows through the real REST server (QHttpServer over TCP) with a
// scripted Backend: the initial state, changes, heartbeats, CORS, the stream bound, a stalled
// client dropped while the others keep up, upstream log streams closed when clients leave.
#include "FakeBackend.h"
#include "RestServer.h"
#include "http/SseHub.h"
#include "live_sseclient.h"
#include "monitor/StatusMonitor.h"
#include "stack/LocalStack.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

using namespace sm;

namespace {

ServiceStatus service(const QString &name, qint64 pid) {
    ServiceStatus s;
    s.container = "robot";
    s.service = name;
    s.serviceLabel = name;
    s.name = name;
    s.isUp = true;
    s.pid = pid;
    s.uptimeSeconds = 1;
    s.raw = QStringLiteral("up (pid %1) 1 seconds").arg(pid);
    return s;
}

// A client that sends its request and then never reads, with a tiny receive buffer.
int stalledClient(quint16 port, const QByteArray &path) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int size = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    const QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    if (::send(fd, request.constData(), size_t(request.size()), 0) != request.size()) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

class LiveSseHubTest final : public QObject {
    Q_OBJECT

    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<StatusMonitor> m_monitor;
    std::unique_ptr<RestServer> m_server;
    quint16 m_port = 0;

    void startServer(RestSettings settings = {}) {
        settings.containers = {"robot"};
        settings.accessLog = false;
        settings.corsOrigins = {"http://ui:3000"};
        m_backend = std::make_unique<FakeBackend>();
        m_backend->agents["robot"].statuses = {service("a", 10), service("b", 20)};
        StatusMonitor::Settings poll;
        poll.pollIntervalMs = 20;
        m_monitor =
            std::make_unique<StatusMonitor>(m_backend.get(), QStringList{"robot"}, nullptr, poll);
        m_server = std::make_unique<RestServer>(m_backend.get(), settings);
        LocalStack::feed(m_backend.get(), m_monitor.get());
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }

private slots:
    void cleanup() {
        m_server.reset();
        m_monitor.reset();
        m_backend.reset();
    }

    void eventFormat() {
        QCOMPARE(sseEvent("log", "plain"), QByteArray("event: log\ndata: plain\n\n"));
        QCOMPARE(sseEvent("log", "a\r\nb\rc\nd"),
                 QByteArray("event: log\ndata: a\ndata: b\ndata: c\ndata: d\n\n"));
        QCOMPARE(sseEvent("log", ""), QByteArray("event: log\ndata: \n\n"));
    }

    void newSubscriberGetsStateThenChanges() {
        startServer();
        m_monitor->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_monitor->services().size(), 2, 2000);

        SseTestClient client;
        client.get(m_port, "/events", "Origin: http://ui:3000\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(client.count("service"), 2, 2000);
        QCOMPARE(client.status, 200);
        QCOMPARE(client.header("Content-Type"), QByteArray("text/event-stream"));
        QCOMPARE(client.header("Access-Control-Allow-Origin"), QByteArray("http://ui:3000"));
        QCOMPARE(client.header("Vary"), QByteArray("Origin"));
        QCOMPARE(client.header("Cache-Control"), QByteArray("no-cache"));
        QVERIFY(client.body.startsWith("retry: 2000\n\n"));
        QCOMPARE(client.data("agent"), QStringList{R"({"container":"robot","reachable":true})"});
        QVERIFY(client.data("service")[0].startsWith(
            R"({"container":"robot","service":"a","service_label":"a","name":"a",)"));

        m_backend->agents["robot"].statuses = {service("a", 10), service("b", 21)};
        QTRY_COMPARE_WITH_TIMEOUT(client.count("service"), 3, 2000);
        QVERIFY(client.data("service").last().contains(R"("pid":21)"));

        m_backend->agents["robot"].error = ApiError::unavailable("gone");
        QTRY_COMPARE_WITH_TIMEOUT(client.count("agent"), 2, 2000);
        QCOMPARE(client.data("agent").last(),
                 QString(R"({"container":"robot","reachable":false})"));

        DockerEvent docker{"web", "die", "2026-01-01T00:00:00Z"};
        Q_EMIT m_monitor->dockerEvent(docker);
        QTRY_COMPARE_WITH_TIMEOUT(client.count("docker"), 1, 2000);
        QCOMPARE(client.data("docker")[0],
                 QString(R"({"container":"web","action":"die","time":"2026-01-01T00:00:00Z"})"));

        // The client leaves: the hub forgets it.
        QCOMPARE(m_server->eventHub()->subscriberCount(), 1);
        client.socket.disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(m_server->eventHub()->subscriberCount(), 0, 2000);
    }

    void reconnectGetsWhatItMissed() {
        startServer();
        m_monitor->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_monitor->services().size(), 2, 2000);
        const auto lastId = [](const QByteArray &body) {
            QByteArray last;
            static const QRegularExpression id(QStringLiteral("(?m)^id: (\\S+)$"));
            for (auto m = id.globalMatch(QString::fromUtf8(body)); m.hasNext();)
                last = m.next().captured(1).toUtf8();
            return last;
        };

        QByteArray seen;
        {
            SseTestClient first;
            first.get(m_port, "/events");
            QTRY_COMPARE_WITH_TIMEOUT(first.count("service"), 2, 2000);
            QTRY_VERIFY(!lastId(first.body).isEmpty()); // the snapshot ends with where it is
            seen = lastId(first.body);
        }
        // Published while nobody listens.
        Q_EMIT m_monitor->dockerEvent(DockerEvent{"web", "die", "2026-01-01T00:00:00Z"});
        Q_EMIT m_monitor->dockerEvent(DockerEvent{"web", "start", "2026-01-01T00:00:01Z"});

        SseTestClient back;
        back.get(m_port, "/events", "Last-Event-ID: " + seen + "\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(back.count("docker"), 2, 2000);
        QCOMPARE(back.data("docker")[0],
                 QString(R"({"container":"web","action":"die","time":"2026-01-01T00:00:00Z"})"));
        QCOMPARE(back.count("service"), 0); // no snapshot: only what it missed
        QCOMPARE(back.count("resync"), 0);
        // And live events go on after them.
        Q_EMIT m_monitor->dockerEvent(DockerEvent{"web", "stop", "2026-01-01T00:00:02Z"});
        QTRY_COMPARE_WITH_TIMEOUT(back.count("docker"), 3, 2000);

        // An id of another run of the daemon, or one older than what is kept: told, then the
        // current state.
        SseTestClient stranger;
        stranger.get(m_port, "/events", "Last-Event-ID: elsewhere.3\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(stranger.count("service"), 2, 2000);
        QCOMPARE(stranger.count("resync"), 1);
        QVERIFY(stranger.data("resync")[0].contains(R"("last_event_id":"elsewhere.3")"));
        for (int i = 0; i < 5000; ++i)
            Q_EMIT m_monitor->dockerEvent(DockerEvent{"web", "die", "2026-01-01T00:00:03Z"});
        SseTestClient late;
        late.get(m_port, "/events", "Last-Event-ID: " + seen + "\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(late.count("service"), 2, 2000);
        QCOMPARE(late.count("resync"), 1);
        QCOMPARE(late.count("docker"), 0);
    }

    void heartbeat() {
        RestSettings settings;
        settings.heartbeatMs = 50;
        startServer(settings);
        SseTestClient client;
        client.get(m_port, "/events");
        QTRY_VERIFY_WITH_TIMEOUT(client.body.count(": keepalive\n\n") >= 2, 2000);
    }

    void boundedStreamCount() {
        RestSettings settings;
        settings.maxStreams = 2;
        startServer(settings);
        SseTestClient a, b, c;
        a.get(m_port, "/events");
        b.get(m_port, "/events");
        QTRY_COMPARE_WITH_TIMEOUT(m_server->eventHub()->subscriberCount(), 2, 2000);
        c.get(m_port, "/events", "Origin: http://ui:3000\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(c.status, 503, 2000);
        QCOMPARE(c.header("Access-Control-Allow-Origin"), QByteArray("http://ui:3000"));
        QTRY_VERIFY_WITH_TIMEOUT(c.body.contains("Too many event streams"), 2000);
    }

    void stalledSubscriberIsDropped() {
        RestSettings settings;
        settings.streamBacklogBytes = 256 * 1024;
        startServer(settings);
        QList<SseTestClient *> readers;
        for (int i = 0; i < 3; ++i) {
            readers.append(new SseTestClient(this));
            readers.last()->get(m_port, "/events");
        }
        const int stalled = stalledClient(m_port, "/events");
        QVERIFY(stalled >= 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->eventHub()->subscriberCount(), 4, 2000);

        // 8 KiB events, one per event-loop turn, until the stalled client is dropped.
        ServiceStatus big = service("big", 1);
        big.raw = QString(8192, u'x');
        int published = 0;
        QTimer pump;
        pump.setInterval(0);
        connect(&pump, &QTimer::timeout, this, [&] {
            big.pid = ++published;
            Q_EMIT m_monitor->serviceChanged(big);
        });
        pump.start();
        QTRY_VERIFY_WITH_TIMEOUT(m_server->eventHub()->droppedCount() == 1 || published > 20000,
                                 10000);
        pump.stop();
        QCOMPARE(m_server->eventHub()->droppedCount(), 1);
        QCOMPARE(m_server->eventHub()->subscriberCount(), 3);
        // Everything published reached every reader that keeps reading.
        for (SseTestClient *reader : std::as_const(readers))
            QTRY_COMPARE_WITH_TIMEOUT(reader->count("service"), published, 5000);
        qInfo("stalled client dropped after %d events of 8 KiB", published);
        ::close(stalled);
        qDeleteAll(readers);
    }

    void logFollow() {
        startServer();
        SseTestClient client;
        client.get(m_port, "/containers/robot/services/svc/logs?follow=true&tail=5",
                   "Origin: http://ui:3000\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(m_backend->streams.size(), 1, 2000);
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 200, 2000);
        QCOMPARE(client.header("Access-Control-Allow-Origin"), QByteArray("http://ui:3000"));
        Q_EMIT m_backend->streams[0]->line("first line");
        Q_EMIT m_backend->streams[0]->line("second\rline");
        QTRY_COMPARE_WITH_TIMEOUT(client.count("log"), 2, 2000);
        QCOMPARE(client.data("log"), (QStringList{"first line", "second\nline"}));

        // The client leaves: the upstream stream is deleted (its connection closed).
        client.socket.disconnectFromHost();
        QTRY_VERIFY_WITH_TIMEOUT(m_backend->streams[0].isNull(), 2000);
        QCOMPARE(m_server->eventHub()->followerCount(), 0);
    }

    void streamsOutliveTheRequestDeadline() {
        RestSettings settings;
        settings.requestTimeoutMs = 100;
        settings.watchdogMarginMs = 50;
        settings.heartbeatMs = 400; // the first heartbeat comes after the deadline
        startServer(settings);
        SseTestClient early; // ends before its deadline: the watchdog must forget it
        early.get(m_port, "/containers/robot/services/svc/logs?follow=true");
        QTRY_COMPARE_WITH_TIMEOUT(early.status, 200, 2000);
        early.socket.disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(m_server->eventHub()->followerCount(), 0, 2000);

        SseTestClient client;
        client.get(m_port, "/containers/robot/services/svc/logs?follow=true");
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 200, 2000);
        QTRY_VERIFY_WITH_TIMEOUT(client.body.contains(": keepalive"), 2000);
        Q_EMIT m_backend->streams.last()->line("still here");
        QTRY_COMPARE_WITH_TIMEOUT(client.data("log"), QStringList{"still here"}, 2000);
        QVERIFY(!client.closed);
        QCOMPARE(client.status, 200); // no 504 written into the stream
        // Ordinary requests afterwards (new exchanges, maybe at a freed one's address) still
        // get their own answers.
        for (int i = 0; i < 20; ++i) {
            SseTestClient plain;
            plain.get(m_port, "/containers/robot/services/svc/status");
            QTRY_COMPARE_WITH_TIMEOUT(plain.status, 200, 2000);
        }
    }

    void logFollowSourceEnds() {
        startServer();
        SseTestClient client;
        client.get(m_port, "/docker/containers/web/logs?follow=1");
        QTRY_COMPARE_WITH_TIMEOUT(m_backend->streams.size(), 1, 2000);
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 200, 2000);
        Q_EMIT m_backend->streams[0]->finished(
            ApiError::notFound("Docker container 'web' not found"));
        QTRY_VERIFY_WITH_TIMEOUT(client.ended, 2000);
        QCOMPARE(client.data("error"),
                 QStringList{R"({"error":"Docker container 'web' not found","detail":null})"});
        QTRY_VERIFY_WITH_TIMEOUT(m_backend->streams[0].isNull(), 2000);
    }

    void logFollowUnsupported() {
        startServer();
        m_backend->canFollow = false;
        SseTestClient client;
        client.get(m_port, "/containers/robot/services/svc/logs?follow=true");
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 501, 2000);
    }
};

QTEST_GUILESS_MAIN(LiveSseHubTest)
#include "live_sse_hub.moc"

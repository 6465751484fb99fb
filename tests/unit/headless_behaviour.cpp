// How the REST layer behaves around the routes: 405 with Allow, CORS and preflights, backend
// errors to HTTP, the watchdog, clients that leave early, and shared status reads.
#include "headless_fixture.h"

#include <QDir>
#include <QSignalSpy>
#include <QTcpSocket>

#include <memory>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace {

quint16 portOf(const sockaddr_storage &address) {
    return address.ss_family == AF_INET
               ? ntohs(reinterpret_cast<const sockaddr_in &>(address).sin_port)
               : 0;
}

// TCP_NODELAY on this process's end of the loopback connection from clientPort to
// serverPort; -1 when no such socket is open here.
int noDelayOfServerEnd(quint16 serverPort, quint16 clientPort) {
    for (const QString &entry : QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files)) {
        const int fd = entry.toInt();
        struct stat info {};
        if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode))
            continue;
        sockaddr_storage local{}, peer{};
        socklen_t localSize = sizeof local, peerSize = sizeof peer;
        if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &localSize) != 0 ||
            getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peerSize) != 0 ||
            portOf(local) != serverPort || portOf(peer) != clientPort)
            continue;
        int on = 0;
        socklen_t size = sizeof on;
        return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &size) == 0 ? on : -1;
    }
    return -1;
}

// A client that writes raw HTTP and collects every byte that comes back.
struct RawClient {
    QTcpSocket socket;
    QByteArray received;
    explicit RawClient(quint16 port) {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                         [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
    }
    // The answers received so far, by their status lines.
    qsizetype answers() const { return received.count("HTTP/1.1 "); }
};

} // namespace

class HeadlessBehaviourTest final : public RestFixture {
    Q_OBJECT

    // Sends GET / and waits for its answer: the server has then taken in every request sent
    // before it.
    void takeInSent() {
        const std::unique_ptr<QNetworkReply> probe(send("GET", "/"));
        QTRY_VERIFY(probe->isFinished());
    }
    // Waits for the answer and checks its status.
    static void expectAnswer(QNetworkReply *reply, int status) {
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
    }

private Q_SLOTS:
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void methodNotAllowed() {
        Answer a = call("DELETE", "/containers");
        checkError(a, 405);
        QCOMPARE(a.headers.value("allow"), QByteArray("GET, OPTIONS"));
        a = call("GET", "/containers/ai_worker/services/svc");
        checkError(a, 405);
        QCOMPARE(a.headers.value("allow"), QByteArray("POST, OPTIONS"));
        a = call("POST", "/containers/ai_worker/services/svc/run", "{}");
        checkError(a, 405);
        QCOMPARE(a.headers.value("allow"), QByteArray("GET, PUT, OPTIONS"));
        QVERIFY(m_backend->calls.isEmpty());
    }

    void followNeedsAStreamingBackend() {
        // FakeBackend cannot stream logs: follow=true says so instead of hanging.
        checkError(call("GET", "/containers/ai_worker/services/svc/logs?follow=true"), 501);
        checkError(call("GET", "/docker/containers/x/logs?follow=1"), 501);
    }

    void preflight() {
        const Answer a = call("OPTIONS", "/containers/ai_worker/services/svc", {},
                              {{"Origin", "http://ui:3000"},
                               {"Access-Control-Request-Method", "POST"},
                               {"Access-Control-Request-Headers", "content-type,x-trace"}});
        QCOMPARE(a.status, 204);
        QVERIFY(a.body.isEmpty());
        QCOMPARE(a.headers.value("access-control-allow-origin"), QByteArray("http://ui:3000"));
        QCOMPARE(a.headers.value("access-control-allow-methods"), QByteArray("POST, OPTIONS"));
        QCOMPARE(a.headers.value("access-control-allow-headers"),
                 QByteArray("content-type,x-trace"));
        QCOMPARE(a.headers.value("access-control-allow-credentials"), QByteArray("true"));
        QCOMPARE(a.headers.value("access-control-max-age"), QByteArray("600"));
        QCOMPARE(a.headers.value("vary"), QByteArray("Origin"));
        QVERIFY(m_backend->calls.isEmpty());
        // Unknown paths get no preflight.
        QCOMPARE(call("OPTIONS", "/nope", {}, {{"Origin", "http://ui:3000"}}).status, 404);
    }

    void restrictedOrigins() {
        RestSettings settings;
        settings.corsOrigins = {"http://ui:3000"};
        startServer(settings);
        Answer a = call("GET", "/", {}, {{"Origin", "http://ui:3000"}});
        QCOMPARE(a.headers.value("access-control-allow-origin"), QByteArray("http://ui:3000"));
        a = call("GET", "/nope", {}, {{"Origin", "http://evil:1"}});
        QCOMPARE(a.status, 404);
        QVERIFY(!a.headers.contains("access-control-allow-origin"));
        QCOMPARE(a.headers.value("vary"), QByteArray("Origin"));
        a = call("OPTIONS", "/containers", {}, {{"Origin", "http://evil:1"}});
        QCOMPARE(a.status, 204);
        QVERIFY(!a.headers.contains("access-control-allow-origin"));
    }

    void backendErrors_data() {
        QTest::addColumn<int>("status");
        QTest::addRow("agent 404") << 404;
        QTest::addRow("bad gateway") << 502;
        QTest::addRow("unreachable") << 503;
        QTest::addRow("timeout") << 504;
        QTest::addRow("docker control forbidden") << 403;
    }
    void backendErrors() {
        QFETCH(int, status);
        m_backend->failWith = ApiError{status, "Service 'svc' not found", QJsonValue("why")};
        for (const QByteArray path :
             {"/containers/ai_worker/services/svc/status", "/containers/ai_worker/services/status",
              "/docker/containers/x/status"}) {
            const Answer a = call("GET", path);
            checkError(a, status);
            QCOMPARE(a.body,
                     QByteArray("{\"error\":\"Service 'svc' not found\",\"detail\":\"why\"}"));
        }
    }

    void watchdogAnswersLostCalls() {
        RestSettings settings;
        settings.requestTimeoutMs = 200;
        settings.watchdogMarginMs = 100;
        startServer(settings);
        m_backend->neverAnswer = true;
        QElapsedTimer clock;
        clock.start();
        const Answer a = call("GET", "/containers/ai_worker/services/status");
        checkError(a, 504);
        QVERIFY(clock.elapsed() >= 250);
        // The watchdog's own answer: the backend was asked once and never answered.
        QCOMPARE(a.json().value("error").toString(),
                 QString("The request was not answered in time"));
        QCOMPARE(m_backend->calls.size(), 1);
        // The server keeps answering.
        QCOMPARE(call("GET", "/").status, 200);
    }

    void dockerStopGraceExtendsTheWatchdog() {
        RestSettings settings;
        settings.requestTimeoutMs = 200;
        settings.watchdogMarginMs = 100;
        startServer(settings);
        // Docker may take the whole grace period (1 s here) before it answers.
        m_backend->delayMs = 700;
        const Answer slow =
            call("POST", "/docker/containers/web", R"({"action":"stop","timeout":1})");
        QCOMPARE(slow.status, 200);
        // Without a grace period the same delay is a lost call.
        const Answer lost =
            call("POST", "/docker/containers/web", R"({"action":"stop","timeout":0})");
        checkError(lost, 504);
    }

    void clientLeavesEarly() {
        m_backend->delayMs = -1;
        QNetworkReply *reply = send("GET", "/containers/ai_worker/services/svc/status");
        QTRY_VERIFY(m_backend->pendingAnswer);
        reply->abort();
        reply->deleteLater();
        // Answering after the client left must not write to a deleted socket.
        auto answer = std::move(m_backend->pendingAnswer);
        m_backend->pendingAnswer = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((answer(), true), 100);
        m_backend->delayMs = 0;
        QCOMPARE(call("GET", "/containers/ai_worker/services/svc/status").status, 200);
    }

    void largeAnswersDoNotWaitForAcks() {
        // A large answer leaves in two writes; on a keep-alive connection the second would
        // wait for the client's delayed ACK of the first (40 ms) unless Nagle is off.
        ServiceStatus status;
        status.container = "ai_worker";
        status.service = "svc";
        m_backend->agents["ai_worker"].statuses = QList<ServiceStatus>(300, status);
        RawClient client(m_port);
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        const QByteArray expected = call("GET", "/containers/ai_worker/services/status").body;
        QVERIFY(expected.size() > 16 * 1024);
        for (int round = 0; round < 2; ++round) { // two answers on one connection
            client.received.clear();
            client.socket.write(
                "GET /containers/ai_worker/services/status HTTP/1.1\r\nHost: t\r\n\r\n");
            QTRY_VERIFY(client.received.endsWith(expected));
            QVERIFY(client.received.startsWith("HTTP/1.1 200 OK\r\n"));
            QVERIFY(client.received.contains(
                "\r\nContent-Length: " + QByteArray::number(expected.size()) + "\r\n"));
        }
        QCOMPARE(noDelayOfServerEnd(m_port, client.socket.localPort()), 1);
    }

    void connectionCloseEndsTheConnection() {
        // RFC 9112 9.3: `Connection: close`, and HTTP/1.0 without keep-alive, end the
        // connection with the answer; a client reading until the end would wait forever.
        const QList<QByteArray> requests = {
            "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
        };
        const QByteArray root = call("GET", "/").body;
        for (const QByteArray &request : requests) {
            RawClient client(m_port);
            QSignalSpy closed(&client.socket, &QTcpSocket::disconnected);
            QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
            // A request pipelined after the last one is not answered.
            client.socket.write(request + "GET /containers HTTP/1.1\r\nHost: t\r\n\r\n");
            QVERIFY2(closed.wait(5000), request.constData());
            client.received += client.socket.readAll();
            QVERIFY(client.received.startsWith("HTTP/1.1 200 OK\r\n"));
            QVERIFY(client.received.contains("\r\nConnection: close\r\n"));
            QVERIFY(client.received.endsWith("\r\n\r\n" + root));
            QCOMPARE(client.answers(), 1);
        }
    }

    void requestsAfterCloseAreNotRun() {
        // The answer to the close comes later (a backend read); the stop sent behind it must
        // not run meanwhile.
        m_backend->delayMs = 50;
        RawClient client(m_port);
        QSignalSpy closed(&client.socket, &QTcpSocket::disconnected);
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        const QByteArray stop = R"({"action":"stop"})";
        client.socket.write("GET /containers/ai_worker/services/status HTTP/1.1\r\nHost: t\r\n"
                            "Connection: close\r\n\r\n"
                            "POST /containers/ai_worker/services/ros_bridge HTTP/1.1\r\nHost: t\r\n"
                            "Content-Type: application/json\r\nContent-Length: " +
                            QByteArray::number(stop.size()) + "\r\n\r\n" + stop);
        QVERIFY(closed.wait(5000));
        client.received += client.socket.readAll();
        QCOMPARE(client.answers(), 1);
        QVERIFY(client.received.startsWith("HTTP/1.1 200 OK\r\n"));
        for (const QString &call : std::as_const(m_backend->calls))
            QVERIFY2(!call.startsWith("control"), qPrintable(call));
    }

    void http10KeepAliveKeepsTheConnection() {
        RawClient client(m_port);
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        const QByteArray root = call("GET", "/").body;
        // Each answer on the same connection shows the one before left it open.
        for (int round = 0; round < 2; ++round) {
            client.received.clear();
            client.socket.write("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            QTRY_VERIFY(client.received.endsWith(root));
            QVERIFY(client.received.contains("\r\nConnection: keep-alive\r\n"));
        }
        // HTTP/1.1 stays open without saying so.
        for (int round = 0; round < 2; ++round) {
            client.received.clear();
            client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            QTRY_VERIFY(client.received.endsWith(root));
            QVERIFY(!client.received.contains("\r\nConnection:"));
        }
    }

    void pipelinedRequestsAreReadOnce() {
        // Three requests in one write: the server takes one at a time, and what it has not
        // taken yet must not be read twice, so the close asked for later still closes.
        RawClient client(m_port);
        QSignalSpy closed(&client.socket, &QTcpSocket::disconnected);
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        const QByteArray get = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
        client.socket.write(get + get + get);
        QTRY_COMPARE(client.answers(), 3);
        client.socket.write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        QVERIFY(closed.wait(5000));
        client.received += client.socket.readAll();
        QCOMPARE(client.answers(), 4);
        QCOMPARE(client.received.count("HTTP/1.1 200 OK\r\n"), 4);
    }

    void pipelinedRequestSplitAcrossReads() {
        // A whole request and the start of the next, then the rest of it: both are valid.
        RawClient client(m_port);
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        client.socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /containers HTTP/1.1\r\nHo");
        QTRY_COMPARE(client.answers(), 1);
        client.socket.write("st: t\r\n\r\n");
        QTRY_COMPARE(client.answers(), 2);
        QCOMPARE(client.received.count("HTTP/1.1 200 OK\r\n"), 2);
        QVERIFY(client.received.endsWith(call("GET", "/containers").body));
    }

    void upgradesOtherThanWebSocketsAreAnswered() {
        const QByteArray root = call("GET", "/").body;
        // `Upgrade: websocket` without `Connection: upgrade` is no handshake: a plain request.
        {
            RawClient client(m_port);
            QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
            client.socket.write("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n\r\n");
            QTRY_VERIFY(client.received.endsWith(root));
            QVERIFY(client.received.startsWith("HTTP/1.1 200 OK\r\n"));
        }
        // An h2c upgrade is not taken up: answered as HTTP/1.1, and the limits still hold for
        // the next request on the connection.
        RawClient client(m_port);
        QSignalSpy closed(&client.socket, &QTcpSocket::disconnected);
        QTRY_COMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        client.socket.write("GET / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                            "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
        QTRY_VERIFY(client.received.endsWith(root));
        client.socket.write("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + QByteArray(20000, 'a') +
                            "\r\n\r\n");
        QVERIFY(closed.wait(5000));
        client.received += client.socket.readAll();
        QVERIFY2(client.received.contains("HTTP/1.1 431 "), client.received.left(400).constData());
    }

    void coalescedReads() {
        // Identical reads share backend calls, but never one that started before them: one call
        // of a read runs at a time, and the requests that arrive while it runs share the next.
        m_backend->agents["ai_worker"].statuses = {ServiceStatus()}; // one blank status
        m_backend->delayMs = -1;
        const QByteArray path = "/containers/ai_worker/services/status";
        QNetworkReply *first = send("GET", path);
        QTRY_COMPARE(m_backend->calls.size(), 1);
        // Four more: the client opens at most six connections to one server, and the probe
        // below needs the sixth.
        QList<QNetworkReply *> later;
        for (int i = 0; i < 4; ++i)
            later.append(send("GET", path));
        // Give the server time to take all four in while the first call is still open.
        takeInSent();
        QCOMPARE(m_backend->calls.size(), 1);
        QVERIFY(!first->isFinished());

        QCOMPARE(m_backend->heldAnswers.size(), 1);
        m_backend->heldAnswers.takeFirst()();
        expectAnswer(first, 200);
        // The four waiters get a fresh call of their own, one for all of them.
        QTRY_COMPARE(m_backend->calls.size(), 2);
        for (QNetworkReply *r : later)
            QVERIFY(!r->isFinished());
        QCOMPARE(m_backend->heldAnswers.size(), 1);
        m_backend->heldAnswers.takeFirst()();
        for (QNetworkReply *r : later) {
            expectAnswer(r, 200);
            QCOMPARE(r->readAll(), J("{'container':'ai_worker','statuses':[{'container':'','"
                                     "service':'','service_label':'','name':'','raw':'','is_up':"
                                     "false,'pid':null,'uptime_seconds':null}]}"));
        }
        QCOMPARE(m_backend->calls.size(), 2);
        qDeleteAll(later);
        delete first;
    }

    void readingsTakenLaterAnswerEarlierRequests() {
        // A call whose reading was taken after a waiting request arrived answers it too; one
        // taken before it, or at a moment outside the call's own span, does not.
        m_backend->agents["ai_worker"].statuses = {ServiceStatus()};
        m_backend->delayMs = -1;
        const QByteArray path = "/containers/ai_worker/services/status";
        QNetworkReply *first = send("GET", path);
        QTRY_COMPARE(m_backend->calls.size(), 1);
        QNetworkReply *second = send("GET", path);
        takeInSent();
        const qint64 beforeThird = steadyClockNs();
        QNetworkReply *third = send("GET", path);
        takeInSent();
        QCOMPARE(m_backend->calls.size(), 1);

        // Taken after the second arrived and before the third: the second is answered with the
        // first, the third waits for a call of its own.
        m_backend->statusesAsOfNs = [beforeThird] { return beforeThird; };
        m_backend->heldAnswers.takeFirst()();
        for (QNetworkReply *r : {first, second})
            expectAnswer(r, 200);
        QTRY_COMPARE(m_backend->calls.size(), 2);
        QVERIFY(!third->isFinished());

        // Taken now, after the fourth arrived, by the call the third started: both answered,
        // and no further call.
        QNetworkReply *fourth = send("GET", path);
        takeInSent();
        QCOMPARE(m_backend->heldAnswers.size(), 1);
        QVERIFY(!fourth->isFinished());
        m_backend->statusesAsOfNs = [] { return steadyClockNs(); };
        m_backend->heldAnswers.takeFirst()();
        for (QNetworkReply *r : {third, fourth})
            expectAnswer(r, 200);
        QCOMPARE(m_backend->calls.size(), 2);

        // A moment past the call's end is another clock's: not believed.
        QNetworkReply *fifth = send("GET", path);
        QTRY_COMPARE(m_backend->calls.size(), 3);
        QNetworkReply *sixth = send("GET", path);
        takeInSent();
        m_backend->statusesAsOfNs = [] { return steadyClockNs() + 3600'000'000'000; };
        m_backend->heldAnswers.takeFirst()();
        expectAnswer(fifth, 200);
        QTRY_COMPARE(m_backend->calls.size(), 4);
        QVERIFY(!sixth->isFinished());
        m_backend->statusesAsOfNs = {};
        m_backend->heldAnswers.takeFirst()();
        expectAnswer(sixth, 200);
        QCOMPARE(m_backend->calls.size(), 4);
        for (QNetworkReply *r : {first, second, third, fourth, fifth, sixth})
            delete r;
    }

    void timeoutsAreShared() {
        // After a 504 the agent is not asked again for requests that waited for a call.
        m_backend->delayMs = -1;
        m_backend->failWith = ApiError::timeout("Agent for container 'ai_worker' did not answer");
        const QByteArray path = "/containers/ai_worker/services/status";
        QNetworkReply *first = send("GET", path);
        QTRY_COMPARE(m_backend->calls.size(), 1);
        QNetworkReply *second = send("GET", path);
        QNetworkReply *third = send("GET", path);
        takeInSent();
        m_backend->heldAnswers.takeFirst()();
        for (QNetworkReply *r : {first, second, third})
            expectAnswer(r, 504);
        QCOMPARE(m_backend->calls.size(), 1);
        delete first;
        delete second;
        delete third;
    }

    void coalescedErrorsAndLostCalls() {
        RestSettings settings;
        settings.requestTimeoutMs = 200;
        settings.watchdogMarginMs = 100;
        startServer(settings);
        // A lost call: the watchdog answers, and the next request gets a new call.
        m_backend->neverAnswer = true;
        QCOMPARE(call("GET", "/containers/ai_worker/services/svc/status").status, 504);
        m_backend->neverAnswer = false;
        m_backend->failWith =
            ApiError::unavailable("Agent for container 'ai_worker' is unreachable: x");
        QCOMPARE(call("GET", "/containers/ai_worker/services/svc/status").status, 503);
        QCOMPARE(m_backend->calls.size(), 2);
    }
};

QTEST_GUILESS_MAIN(HeadlessBehaviourTest)
#include "headless_behaviour.moc"

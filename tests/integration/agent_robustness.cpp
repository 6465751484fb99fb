// The agent under bad clients: keep-alive and pipelining, half requests, a
// client that never reads, many idle connections, the connection cap, idle
// timeouts, malformed and oversized requests. None may stall anyone else.

#include "AgentProcess.h"
#include "S6Tree.h"
#include "agent_client.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <sys/socket.h>

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");

// How long a request from another client may wait for its answer. This only guards against a
// stall that never ends: it is shorter than the agent's idle timeout (60 s), so the agent cannot
// get past a client it is stuck on by dropping it before this runs out.
constexpr int kAnswerWaitMs = 30000;

} // namespace

class AgentRobustness final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void keepAlive();
    void pipelining();
    void halfRequestDoesNotStall();
    void clientThatNeverReads();
    void sixtyIdleConnections();
    void connectionCap();
    void idleConnectionsClosed();
    void malformedRequests_data();
    void malformedRequests();
    void expectContinue();
    void connectionClose();
    void halfClosedClientStillAnswered();

private:
    bool servesAnotherClient();

    S6Tree m_tree;
    AgentProcess m_agent;
};

void AgentRobustness::initTestCase() {
    QVERIFY(m_tree.isValid());
    for (const char *name : {"a", "b", "c"})
        QVERIFY(m_tree.addService(name, kSleep));
    QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
    QVERIFY2(m_agent.start(m_tree.scanDir(), m_tree.logDir(), m_tree.scanDir()),
             qPrintable(m_agent.errorString()));
}

void AgentRobustness::cleanupTestCase() {
    QVERIFY(m_agent.stop());
    QVERIFY(m_tree.stop());
}

// Another client on a fresh connection is served while the misbehaving one is still at it.
bool AgentRobustness::servesAnotherClient() {
    AgentConnection c(m_agent.socketPath());
    const HttpReply reply = c.request("GET", "/services/status", QByteArray(), kAnswerWaitMs);
    return reply.status == 200 && reply.json().contains("statuses");
}

void AgentRobustness::keepAlive() {
    AgentConnection c(m_agent.socketPath());
    QVERIFY(c.isConnected());
    for (int i = 0; i < 200; ++i) {
        const HttpReply reply = c.request("GET", i % 2 ? "/services" : "/services/a/status");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.headers.value("connection"), QByteArray("keep-alive"));
    }
}

void AgentRobustness::pipelining() {
    AgentConnection c(m_agent.socketPath());
    QByteArray burst;
    for (int i = 0; i < 50; ++i)
        burst += i % 2 ? "GET /services HTTP/1.1\r\n\r\n" : "GET /nope HTTP/1.1\r\n\r\n";
    QVERIFY(c.send(burst));
    for (int i = 0; i < 50; ++i) {
        const auto reply = c.readReply();
        QVERIFY(reply);
        QCOMPARE(reply->status, i % 2 ? 200 : 404);
    }
}

void AgentRobustness::halfRequestDoesNotStall() {
    AgentConnection slow(m_agent.socketPath());
    QVERIFY(slow.send("GET /services HTTP/1.1\r\nHo"));
    for (int i = 0; i < 10; ++i)
        QVERIFY(servesAnotherClient());
    QVERIFY(slow.send("st: x\r\n\r\n"));
    const auto reply = slow.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);

    // Byte by byte, with other clients served in between.
    AgentConnection trickle(m_agent.socketPath());
    for (char ch : QByteArray("GET /services/b/status HTTP/1.1\r\n\r\n")) {
        QVERIFY(trickle.send(QByteArray(1, ch)));
        if (ch == '/')
            QVERIFY(servesAnotherClient());
    }
    QCOMPARE(trickle.readReply()->status, 200);
}

void AgentRobustness::clientThatNeverReads() {
    AgentConnection hog(m_agent.socketPath());
    const QByteArray request = "GET /services/status HTTP/1.1\r\n\r\n";
    QByteArray burst;
    for (int i = 0; i < 2000; ++i)
        burst += request;
    // Push until the kernel buffers are full: the agent stops reading from a
    // client whose answers pile up, and must keep serving everyone else.
    qint64 sent = 0;
    for (int round = 0; round < 200; ++round) {
        const ssize_t n =
            ::send(hog.fd(), burst.constData(), size_t(burst.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += n;
    }
    QVERIFY(sent > 0);
    for (int i = 0; i < 10; ++i)
        QVERIFY(servesAnotherClient());
}

void AgentRobustness::sixtyIdleConnections() {
    std::vector<std::unique_ptr<AgentConnection>> idle;
    for (int i = 0; i < 60; ++i) {
        idle.push_back(std::make_unique<AgentConnection>(m_agent.socketPath()));
        QVERIFY(idle.back()->isConnected());
    }
    for (int i = 0; i < 20; ++i)
        QVERIFY(servesAnotherClient());
    // Idle connections that then speak are still served.
    QCOMPARE(idle.front()->request("GET", "/").status, 200);
    QCOMPARE(idle.back()->request("GET", "/").status, 200);
}

void AgentRobustness::connectionCap() {
    // Earlier tests' connections are gone once the agent has seen them close.
    QTRY_VERIFY(servesAnotherClient());
    std::vector<std::unique_ptr<AgentConnection>> held;
    for (int i = 0; i < 64; ++i) {
        held.push_back(std::make_unique<AgentConnection>(m_agent.socketPath()));
        QCOMPARE(held.back()->request("GET", "/").status, 200);
    }
    // The 65th gets a clear 503 and is closed.
    AgentConnection extra(m_agent.socketPath());
    const auto reply = extra.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 503);
    QVERIFY(extra.waitClosed());
    // One leaves, and a newcomer is served again.
    held.pop_back();
    QTRY_VERIFY(servesAnotherClient());
}

void AgentRobustness::idleConnectionsClosed() {
    AgentProcess agent;
    QVERIFY(
        agent.start(m_tree.scanDir(), m_tree.logDir(), m_tree.scanDir(), {"--idle-timeout", "1"}));
    AgentConnection silent(agent.socketPath());
    AgentConnection half(agent.socketPath());
    QVERIFY(half.send("GET / HTTP/1.1\r\n"));
    AgentConnection used(agent.socketPath());
    QCOMPARE(used.request("GET", "/").status, 200);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(silent.waitClosed(5000));
    QVERIFY(half.waitClosed(5000));
    QVERIFY(used.waitClosed(5000));
    QVERIFY(timer.elapsed() >= 700);
    QVERIFY(agent.stop());
}

void AgentRobustness::malformedRequests_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    QTest::addRow("garbage") << QByteArray("BLAH BLAH\r\n\r\n") << 400;
    QTest::addRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)
                            << 400;
    QTest::addRow("bad-version") << QByteArray("GET / HTTP/9\r\n\r\n") << 400;
    QTest::addRow("bad-header") << QByteArray("GET / HTTP/1.1\r\nno colon\r\n\r\n") << 400;
    QTest::addRow("bad-length") << QByteArray(
                                       "POST /services/a HTTP/1.1\r\nContent-Length: x\r\n\r\n")
                                << 400;
    QTest::addRow("huge-header") << QByteArray("GET / HTTP/1.1\r\nX-A: " +
                                               QByteArray(17 * 1024, 'a') + "\r\n\r\n")
                                 << 431;
    QTest::addRow("many-headers") << QByteArray("GET / HTTP/1.1\r\n" +
                                                QByteArray("X-A: b\r\n").repeated(3000) + "\r\n")
                                  << 431;
    QTest::addRow("huge-body")
        << QByteArray("POST /services/a HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n") << 413;
    QTest::addRow("huge-chunked")
        << QByteArray(
               "PUT /services/a/run HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n" +
               QByteArray(0x200000, 'x') + "\r\n0\r\n\r\n")
        << 413;
}

void AgentRobustness::malformedRequests() {
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    AgentConnection c(m_agent.socketPath());
    // The agent may close before taking every byte of an oversized request.
    c.send(bytes);
    const auto reply = c.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    QCOMPARE(reply->headers.value("connection"), QByteArray("close"));
    QVERIFY(reply->json().value("detail").isNull());
    QVERIFY(c.waitClosed());
    QVERIFY(servesAnotherClient());
}

void AgentRobustness::expectContinue() {
    AgentConnection c(m_agent.socketPath());
    const QByteArray body = "{\"action\":\"bogus\"}";
    QVERIFY(c.send("POST /services/a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " +
                   QByteArray::number(body.size()) + "\r\n\r\n"));
    const auto interim = c.readReply();
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    QVERIFY(c.send(body));
    const auto reply = c.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 422);
}

void AgentRobustness::connectionClose() {
    AgentConnection c(m_agent.socketPath());
    QVERIFY(c.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n"));
    const auto reply = c.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->headers.value("connection"), QByteArray("close"));
    QVERIFY(c.waitClosed());

    AgentConnection old(m_agent.socketPath());
    QVERIFY(old.send("GET / HTTP/1.0\r\n\r\n"));
    QCOMPARE(old.readReply()->status, 200);
    QVERIFY(old.waitClosed());
}

void AgentRobustness::halfClosedClientStillAnswered() {
    // Requests, then shutdown(SHUT_WR): every answer still comes, then the close.
    AgentConnection c(m_agent.socketPath());
    QVERIFY(
        c.send("GET / HTTP/1.1\r\n\r\nPOST /services/a HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"));
    QCOMPARE(::shutdown(c.fd(), SHUT_WR), 0);
    QCOMPARE(c.readReply()->status, 200);
    QCOMPARE(c.readReply()->status, 422);
    QVERIFY(c.waitClosed());

    // A log follower that half-closes is let go.
    QFile log(m_tree.logDir() + "/a/current");
    QVERIFY(QDir().mkpath(m_tree.logDir() + "/a"));
    QVERIFY(log.open(QIODevice::WriteOnly));
    log.write("one\n");
    log.close();
    AgentConnection follow(m_agent.socketPath());
    QVERIFY(follow.sendRequest("GET", "/services/a/logs?follow=true"));
    QVERIFY(follow.readUntil([](const HttpReply &r) { return r.body == "one\n"; }));
    QCOMPARE(::shutdown(follow.fd(), SHUT_WR), 0);
    QVERIFY(follow.waitClosed());
    QVERIFY(servesAnotherClient());
}

QTEST_GUILESS_MAIN(AgentRobustness)
#include "agent_robustness.moc"

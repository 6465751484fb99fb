// The agent's request parser: every fixture parsed whole, split in two at
// every byte position, and one byte at a time must give the same result.

#include "RequestParser.h"

#include <QTest>

using namespace agent;

namespace {

// A canonical text of everything the parser produced, for comparisons.
QByteArray describe(RequestParser &parser) {
    QByteArray out;
    while (parser.hasRequest()) {
        const Request r = parser.takeRequest();
        out += QByteArray::fromStdString(r.method) + ' ' + QByteArray::fromStdString(r.url) +
               " HTTP/" + QByteArray::number(r.httpMajor) + '.' + QByteArray::number(r.httpMinor) +
               (r.keepAlive ? " keep-alive" : " close") + '\n';
        for (const auto &[name, value] : r.headers)
            out += QByteArray::fromStdString(name) + ": " + QByteArray::fromStdString(value) + '\n';
        out += "body[" + QByteArray::number(qsizetype(r.body.size())) +
               "]=" + QByteArray::fromStdString(r.body).left(64) + '\n';
    }
    if (parser.failed())
        out += "error " + QByteArray::number(parser.errorStatus()) + '\n';
    return out;
}

QByteArray parseInPieces(const QByteArray &input, const QList<qsizetype> &cuts) {
    RequestParser parser;
    QByteArray pending;
    qsizetype from = 0;
    QList<qsizetype> ends = cuts;
    ends.append(input.size());
    for (qsizetype end : ends) {
        pending += input.mid(from, end - from);
        from = end;
        const size_t used = parser.feed(pending.constData(), size_t(pending.size()), 1000);
        pending.remove(0, qsizetype(used));
        if (parser.failed())
            break;
    }
    return describe(parser);
}

} // namespace

class AgentRequestParser final : public QObject {
    Q_OBJECT

private slots:
    void splits_data();
    void splits();
    void limitsAreExact();
    void continueExpected();
    void queueBackPressure();
};

void AgentRequestParser::splits_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expectedStart");

    QTest::addRow("get") << QByteArray("GET /services HTTP/1.1\r\nHost: a\r\n\r\n")
                         << QByteArray("GET /services HTTP/1.1 keep-alive\nhost: a\n");
    QTest::addRow("post-body") << QByteArray(
                                      "POST /services/web HTTP/1.1\r\nContent-Length: 16\r\n"
                                      "Content-Type: application/json\r\n\r\n{\"action\":\"up\"}\n")
                               << QByteArray("POST /services/web HTTP/1.1 keep-alive\n");
    QTest::addRow("chunked")
        << QByteArray("PUT /services/web/run HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\n{\"con\r\n11\r\ntent\":\"#!/bin/sh\"\r\n1\r\n}\r\n0\r\n\r\n")
        << QByteArray("PUT /services/web/run HTTP/1.1 keep-alive\n");
    QTest::addRow("pipelined") << QByteArray(
                                      "GET / HTTP/1.1\r\n\r\nGET /services HTTP/1.1\r\n\r\n"
                                      "GET /services/status HTTP/1.1\r\nConnection: close\r\n\r\n")
                               << QByteArray("GET / HTTP/1.1 keep-alive\n");
    QTest::addRow("http10") << QByteArray("GET / HTTP/1.0\r\n\r\n")
                            << QByteArray("GET / HTTP/1.0 close\n");
    QTest::addRow("http10-keepalive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        << QByteArray("GET / HTTP/1.0 keep-alive\n");
    QTest::addRow("query") << QByteArray(
                                  "GET /services/a/logs?tail=5&strip_ansi=true HTTP/1.1\r\n\r\n")
                           << QByteArray("GET /services/a/logs?tail=5&strip_ansi=true HTTP/1.1");
    QTest::addRow("garbage") << QByteArray("\x01\x02 nonsense\r\n\r\n") << QByteArray("error 400");
    QTest::addRow("bad-version") << QByteArray("GET / HTTP/x.y\r\n\r\n") << QByteArray("error 400");
    QTest::addRow("bad-header") << QByteArray("GET / HTTP/1.1\r\nNo colon here\r\n\r\n")
                                << QByteArray("error 400");
    QTest::addRow("bad-length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n")
                                << QByteArray("error 400");
    QTest::addRow("body-too-large")
        << QByteArray("POST /services/a HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n")
        << QByteArray("error 413");
    QTest::addRow("headers-too-large")
        << QByteArray("GET / HTTP/1.1\r\nX-Big: " + QByteArray(17000, 'a') + "\r\n\r\n")
        << QByteArray("error 431");
    QTest::addRow("get-then-garbage") << QByteArray("GET / HTTP/1.1\r\n\r\nBLAH\r\n\r\n")
                                      << QByteArray("GET / HTTP/1.1 keep-alive\n");
    // An Upgrade request is answered as a plain request: the upgrade is ignored.
    QTest::addRow("upgrade")
        << QByteArray("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        << QByteArray("GET / HTTP/1.1 keep-alive\n");
}

void AgentRequestParser::splits() {
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expectedStart);

    const QByteArray whole = parseInPieces(input, {});
    QVERIFY2(whole.startsWith(expectedStart), whole.constData());
    for (qsizetype cut = 1; cut < input.size(); ++cut)
        QCOMPARE(parseInPieces(input, {cut}), whole);
    if (input.size() < 4096) {
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < input.size(); ++i)
            everyByte.append(i);
        QCOMPARE(parseInPieces(input, everyByte), whole);
    }
}

void AgentRequestParser::limitsAreExact() {
    // Request line + headers of exactly 16 KiB pass; one byte more is 431.
    const QByteArray head = "GET / HTTP/1.1\r\nX-Pad: ";
    const QByteArray tail = "\r\n\r\n";
    const qsizetype pad = RequestParser::kMaxHeaderBytes - head.size() - tail.size();
    const QByteArray exact = head + QByteArray(pad, 'p') + tail;
    QCOMPARE(exact.size(), qsizetype(RequestParser::kMaxHeaderBytes));
    QVERIFY(!parseInPieces(exact, {}).startsWith("error"));
    QVERIFY(!parseInPieces(exact, {100, 9000}).startsWith("error"));
    const QByteArray over = head + QByteArray(pad + 1, 'p') + tail;
    QCOMPARE(parseInPieces(over, {}), QByteArray("error 431\n"));
    QCOMPARE(parseInPieces(over, {5000}), QByteArray("error 431\n"));

    // A body of exactly 1 MiB passes, chunked or not; more is 413.
    const QByteArray mib(RequestParser::kMaxBodyBytes, 'b');
    const QByteArray ok = "PUT /x HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n" + mib;
    QVERIFY(parseInPieces(ok, {}).contains("body[1048576]"));
    const QByteArray chunkedOver =
        "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n" + mib +
        "\r\n1\r\nx\r\n0\r\n\r\n";
    QCOMPARE(parseInPieces(chunkedOver, {}), QByteArray("error 413\n"));
}

void AgentRequestParser::continueExpected() {
    RequestParser parser;
    const QByteArray head =
        "PUT /services/a/run HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
    parser.feed(head.constData(), size_t(head.size()));
    QVERIFY(parser.wantsContinue());
    QVERIFY(parser.midRequest());
    parser.continueSent();
    parser.feed("{}", 2);
    QVERIFY(parser.hasRequest());
    QVERIFY(!parser.wantsContinue());
    QCOMPARE(parser.takeRequest().body, std::string("{}"));
}

void AgentRequestParser::queueBackPressure() {
    QByteArray many;
    for (int i = 0; i < 10; ++i)
        many += "GET / HTTP/1.1\r\n\r\n";
    RequestParser parser;
    const size_t used = parser.feed(many.constData(), size_t(many.size()), 3);
    QCOMPARE(parser.queued(), size_t(3));
    QCOMPARE(used, size_t(3 * 18));

    // Pipelined uploads: no more than about 1 MiB of bodies waits in the queue.
    const QByteArray put =
        "PUT /x HTTP/1.1\r\nContent-Length: 600000\r\n\r\n" + QByteArray(600000, 'x');
    const QByteArray uploads = put + put + put;
    RequestParser bodies;
    const size_t taken = bodies.feed(uploads.constData(), size_t(uploads.size()), 16);
    QCOMPARE(bodies.queued(), size_t(2));
    QCOMPARE(taken, size_t(2 * put.size()));
    bodies.takeRequest();
    bodies.takeRequest();
    QCOMPARE(bodies.feed(uploads.constData() + taken, size_t(uploads.size()) - taken, 16),
             size_t(put.size()));
    QCOMPARE(bodies.queued(), size_t(1));
}

QTEST_APPLESS_MAIN(AgentRequestParser)
#include "agent_request_parser.moc"

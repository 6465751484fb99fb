#include "http/ResponseParser.h"

#include <QTest>

using namespace sm;
using Outcome = ResponseParser::Outcome;

namespace {

struct Expected {
    int status;
    QByteArray body;
    bool keepAlive;
};

// Canned answers as agents and Docker send them, and what each must parse to.
QList<QPair<QByteArray, Expected>> cannedResponses() {
    return {
        {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
         "{\"a\":\"b c\"}",
         {200, "{\"a\":\"b c\"}", true}},
        {"HTTP/1.1 404 Not Found\r\nContent-Length: 41\r\nConnection: close\r\n\r\n"
         "{\"error\":\"Service 'x' not found\",\"detail\":null}",
         {404, "{\"error\":\"Service 'x' not found\",\"detail\":null}", false}},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n1;ext=1\r\n \r\nb\r\nworld again\r\n0\r\nTrailer: x\r\n\r\n",
         {200, "hello world again", true}},
        {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", {204, "", true}},
    };
}

} // namespace

class HttpParserTest final : public QObject {
    Q_OBJECT
private slots:
    void everySplitPoint_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("keepAlive");
        int i = 0;
        for (const auto &[wire, e] : cannedResponses())
            QTest::addRow("response %d", i++) << wire << e.status << e.body << e.keepAlive;
    }
    void everySplitPoint() {
        QFETCH(QByteArray, wire);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(bool, keepAlive);
        // Fix the 404 sample's length so the data row stays readable.
        if (status == 404)
            wire.replace("Content-Length: 41",
                         "Content-Length: " + QByteArray::number(body.size()));
        for (qsizetype split = 0; split <= wire.size(); ++split) {
            ResponseParser p(1024);
            const Outcome first = p.feed(wire.left(split));
            if (split < wire.size())
                QCOMPARE(first, Outcome::NeedMore);
            QCOMPARE(p.feed(wire.mid(split)), Outcome::Complete);
            QCOMPARE(p.status(), status);
            QCOMPARE(p.body(), body);
            QCOMPARE(p.keepAlive(), keepAlive);
            QCOMPARE(p.trailingBytes(), 0);
        }
        // And one byte at a time.
        ResponseParser p(1024);
        for (qsizetype i = 0; i < wire.size(); ++i)
            p.feed(wire.mid(i, 1));
        QVERIFY(p.complete());
        QCOMPARE(p.body(), body);
    }

    void headersKeepCaseAndOrder() {
        ResponseParser p;
        QCOMPARE(p.feed("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nX-Two: a\r\n b\r\n"
                        "Content-Length: 0\r\n\r\n"),
                 Outcome::Complete);
        QCOMPARE(p.headers().size(), 3);
        QCOMPARE(p.headers()[0].first, QByteArray("Api-Version"));
        QCOMPARE(p.headers()[0].second, QByteArray("1.41"));
    }

    void bodyUntilClose() {
        ResponseParser p;
        QCOMPARE(p.feed("HTTP/1.1 200 OK\r\n\r\npartial"), Outcome::NeedMore);
        QCOMPARE(p.finish(), Outcome::Complete);
        QCOMPARE(p.body(), QByteArray("partial"));
        QVERIFY(!p.keepAlive());
    }

    void closedMidResponse_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addRow("nothing") << QByteArray();
        QTest::addRow("status line") << QByteArray("HTTP/1.1 200 OK\r\n");
        QTest::addRow("short body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab");
        QTest::addRow("open chunk")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
    }
    void closedMidResponse() {
        QFETCH(QByteArray, wire);
        ResponseParser p;
        p.feed(wire);
        QCOMPARE(p.finish(), Outcome::Error);
        QVERIFY(!p.errorString().isEmpty());
    }

    void garbage_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addRow("text") << QByteArray("hello there\r\n\r\n");
        QTest::addRow("request") << QByteArray("GET / HTTP/1.1\r\n\r\n");
        QTest::addRow("bad chunk")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        QTest::addRow("bad length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n");
        static const char withNul[] = "HTTP/1.1 200 OK\r\nA\0B: c\r\n\r\n";
        QTest::addRow("nul in header") << QByteArray(withNul, sizeof withNul - 1);
    }
    void garbage() {
        QFETCH(QByteArray, wire);
        ResponseParser p;
        QCOMPARE(p.feed(wire), Outcome::Error);
        QVERIFY(!p.tooLarge());
        QVERIFY(p.errorString().startsWith(QLatin1String("invalid HTTP response")));
        QCOMPARE(p.feed("more"), Outcome::Error);
    }

    void limits() {
        ResponseParser declared(10);
        QCOMPARE(declared.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"), Outcome::Error);
        QVERIFY(declared.tooLarge());

        ResponseParser chunked(10);
        QCOMPARE(
            chunked.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n"),
            Outcome::NeedMore);
        QCOMPARE(chunked.feed("6\r\nabcdef\r\n"), Outcome::Error);
        QVERIFY(chunked.tooLarge());

        ResponseParser headers;
        const QByteArray big = "HTTP/1.1 200 OK\r\nX: " + QByteArray(70 * 1024, 'a');
        QCOMPARE(headers.feed(big), Outcome::Error);
        QVERIFY(headers.errorString().contains(QLatin1String("headers")));
    }

    void trailingBytesMarkConnectionUnusable() {
        ResponseParser p;
        QCOMPARE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n"),
                 Outcome::Complete);
        QCOMPARE(p.body(), QByteArray("x"));
        QCOMPARE(p.trailingBytes(), 17);
    }

    void headAnswerHasNoBody() {
        ResponseParser p(-1, true);
        QCOMPARE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"), Outcome::Complete);
        QVERIFY(p.body().isEmpty());
    }

    void streamTakesBodyAsItComes() {
        ResponseParser p;
        p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab\n");
        QVERIFY(p.headersComplete());
        QCOMPARE(p.takeBody(), QByteArray("ab\n"));
        p.feed("c\r\n");
        QCOMPARE(p.takeBody(), QByteArray("c"));
        QCOMPARE(p.feed("0\r\n\r\n"), Outcome::Complete);
        QVERIFY(p.takeBody().isEmpty());
    }
};

QTEST_GUILESS_MAIN(HttpParserTest)
#include "core_http_parser.moc"

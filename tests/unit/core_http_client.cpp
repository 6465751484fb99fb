#include "core_http_peer.h"
#include "http/HttpClient.h"
#include "http/HttpPool.h"

#include <QSignalSpy>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace sm;

namespace {

// Collects one answer; `called` shows the callback ran, `answered` when.
class Answer final : public QObject {
    Q_OBJECT
public:
    bool called = false;
    HttpResult result;
    // Waits on the signal, not by polling, so hundreds of exchanges stay fast.
    bool wait(int ms = 5000) {
        QSignalSpy spy(this, &Answer::answered);
        return called || spy.wait(ms);
    }
Q_SIGNALS:
    void answered();
};

std::shared_ptr<Answer> get(HttpClient &client, QObject *context, QByteArray target = "/",
                            int timeoutMs = 5000, qint64 maxBody = 1 << 20) {
    auto answer = std::make_shared<Answer>();
    HttpRequest r;
    r.target = std::move(target);
    r.timeoutMs = timeoutMs;
    r.maxBodyBytes = maxBody;
    client.send(r, context, [answer](HttpResult result) {
        answer->called = true;
        answer->result = std::move(result);
        Q_EMIT answer->answered();
    });
    return answer;
}

const QByteArray kChunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";

} // namespace

class HttpClientTest final : public QObject {
    Q_OBJECT
private slots:
    void keepAliveReusesOneConnection() {
        TestPeer peer;
        peer.setHandler(
            [](QLocalSocket *s, const QByteArray &) { s->write(TestPeer::json("{}")); });
        HttpClient client(peer.path());
        QObject context;
        for (int i = 0; i < 3; ++i) {
            auto a = get(client, &context, "/services?x=" + QByteArray::number(i));
            QVERIFY(!a->called); // never inside send()
            QVERIFY(a->wait());
            QVERIFY(a->result.ok());
            QCOMPARE(a->result.response->status, 200);
            QCOMPARE(a->result.response->body, QByteArray("{}"));
            QCOMPARE(a->result.response->header("content-type"), QByteArray("application/json"));
        }
        QCOMPARE(peer.accepted(), 1);
        QCOMPARE(client.openConnections(), 1);
        QVERIFY(peer.requests().at(2).startsWith("GET /services?x=2 HTTP/1.1\r\n"));
        QVERIFY(peer.requests().at(2).contains("\r\nHost: localhost\r\n"));
    }

    void postSendsBody() {
        TestPeer peer;
        peer.setHandler(
            [](QLocalSocket *s, const QByteArray &) { s->write(TestPeer::json("{}")); });
        HttpClient client(peer.path());
        HttpRequest r;
        r.method = "POST";
        r.target = "/services/a";
        r.headers = {{"Content-Type", "application/json"}};
        r.body = R"({"action":"up"})";
        bool done = false;
        client.send(r, this, [&](const HttpResult &res) { done = res.ok(); });
        QTRY_VERIFY(done);
        QVERIFY(peer.requests().at(0).endsWith("Content-Length: 15\r\n\r\n{\"action\":\"up\"}"));
    }

    void fragmentsAtEverySplitPoint_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("length") << TestPeer::json("{\"k\":[1,2]}") << QByteArray("{\"k\":[1,2]}");
        QTest::addRow("chunked") << kChunked << QByteArray("abcdefg");
    }
    void fragmentsAtEverySplitPoint() {
        QFETCH(QByteArray, wire);
        QFETCH(QByteArray, body);
        TestPeer peer;
        int split = 0;
        peer.setHandler([&](QLocalSocket *s, const QByteArray &) {
            TestPeer::writeInPieces(s, {wire.left(split), wire.mid(split)});
        });
        HttpClient client(peer.path());
        for (split = 1; split < wire.size(); ++split) {
            auto a = get(client, this);
            QVERIFY(a->wait());
            QVERIFY2(a->result.ok(), qPrintable(a->result.error.message));
            QCOMPARE(a->result.response->body, body);
        }
        QCOMPARE(peer.accepted(), 1);
    }

    void slowPeerByteByByte() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            QList<QByteArray> bytes;
            for (const char c : kChunked)
                bytes.append(QByteArray(1, c));
            TestPeer::writeInPieces(s, bytes);
        });
        HttpClient client(peer.path());
        auto a = get(client, this);
        QVERIFY(a->wait());
        QVERIFY(a->result.ok());
        QCOMPARE(a->result.response->body, QByteArray("abcdefg"));
    }

    void silentPeerTimesOutAndConnectionIsDropped() {
        TestPeer peer; // reads, never answers
        HttpClient client(peer.path());
        auto a = get(client, this, "/", 150);
        QVERIFY(a->wait());
        QVERIFY(!a->result.ok());
        QCOMPARE(a->result.error.kind, HttpError::Timeout);
        QCOMPARE(client.openConnections(), 0);
        QTRY_COMPARE(peer.open(), 0); // the late answer can never be mistaken for the next one
        // A later answer goes to a fresh connection.
        peer.setHandler([](QLocalSocket *s, const QByteArray &) { s->write(TestPeer::json("1")); });
        auto b = get(client, this);
        QVERIFY(b->wait());
        QVERIFY(b->result.ok());
        QCOMPARE(peer.accepted(), 2);
    }

    void garbage() {
        TestPeer peer;
        peer.setHandler(
            [](QLocalSocket *s, const QByteArray &) { s->write("SSH-2.0-OpenSSH\r\n\r\n"); });
        HttpClient client(peer.path());
        auto a = get(client, this);
        QVERIFY(a->wait());
        QCOMPARE(a->result.error.kind, HttpError::Garbage);
        QCOMPARE(client.openConnections(), 0);
    }

    void closedMidReply_data() {
        QTest::addColumn<QByteArray>("partial");
        QTest::addRow("nothing") << QByteArray();
        QTest::addRow("headers") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n");
        QTest::addRow("half body")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        QTest::addRow("half chunk") << kChunked.left(kChunked.size() - 12);
    }
    void closedMidReply() {
        QFETCH(QByteArray, partial);
        TestPeer peer;
        peer.setHandler([&](QLocalSocket *s, const QByteArray &) {
            TestPeer::writeInPieces(s, {partial}, true);
        });
        HttpClient client(peer.path());
        auto a = get(client, this);
        QVERIFY(a->wait());
        QVERIFY(!a->result.ok());
        QCOMPARE(a->result.error.kind, HttpError::Reset);
        QCOMPARE(peer.accepted(), 1); // a fresh connection is not retried
    }

    void bodyUntilCloseCompletes() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            TestPeer::writeInPieces(s, {"HTTP/1.1 200 OK\r\n\r\nall", " of it"}, true);
        });
        HttpClient client(peer.path());
        auto a = get(client, this);
        QVERIFY(a->wait());
        QVERIFY(a->result.ok());
        QCOMPARE(a->result.response->body, QByteArray("all of it"));
    }

    void tooLarge() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            s->write(TestPeer::json(QByteArray(100, 'x')));
        });
        HttpClient client(peer.path());
        auto a = get(client, this, "/", 5000, 99);
        QVERIFY(a->wait());
        QCOMPARE(a->result.error.kind, HttpError::TooLarge);
        QCOMPARE(client.openConnections(), 0);
    }

    void missingSocket() {
        QTemporaryDir dir;
        HttpClient client(dir.filePath(QStringLiteral("nobody.sock")));
        auto a = get(client, this);
        QVERIFY(!a->called);
        QVERIFY(a->wait());
        QCOMPARE(a->result.error.kind, HttpError::SocketMissing);
        QVERIFY(a->result.error.message.contains(QLatin1String("nobody.sock")));
        QCOMPARE(client.openConnections(), 0);
    }

    void refused() {
        // A socket file nobody listens on (bound, never listen()ed): connect() is refused.
        QTemporaryDir dir;
        const QByteArray path = dir.filePath(QStringLiteral("dead.sock")).toUtf8();
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        qstrncpy(addr.sun_path, path.constData(), sizeof addr.sun_path);
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        HttpClient client(QString::fromUtf8(path));
        auto a = get(client, this);
        QVERIFY(!a->called);
        QVERIFY(a->wait());
        ::close(fd);
        QCOMPARE(a->result.error.kind, HttpError::Refused);
    }

    void idleConnectionClosedByPeerIsRetried() {
        TestPeer peer;
        int n = 0;
        peer.setHandler([&](QLocalSocket *s, const QByteArray &) {
            // The second request meets a connection the peer drops without answering,
            // as a server does when its idle timeout races the request.
            if (++n == 2)
                s->disconnectFromServer();
            else
                s->write(TestPeer::json("{}"));
        });
        HttpClient client(peer.path());
        auto a = get(client, this);
        QVERIFY(a->wait());
        QVERIFY(a->result.ok());
        auto b = get(client, this);
        QVERIFY(b->wait());
        QVERIFY2(b->result.ok(), qPrintable(b->result.error.message));
        QCOMPARE(peer.accepted(), 2);
        QCOMPARE(n, 3);
    }

    void idleConnectionClosedEarlyIsForgotten() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            TestPeer::writeInPieces(s, {TestPeer::json("{}")}, true);
        });
        HttpClient client(peer.path());
        auto a = get(client, this);
        QVERIFY(a->wait());
        QTRY_COMPARE(client.openConnections(), 0);
        auto b = get(client, this);
        QVERIFY(b->wait());
        QVERIFY(b->result.ok());
    }

    void poolIsBoundedAndQueues() {
        TestPeer peer;
        QList<QPointer<QLocalSocket>> held;
        peer.setHandler([&](QLocalSocket *s, const QByteArray &) { held.append(s); });
        HttpClient client(peer.path(), 2);
        QList<std::shared_ptr<Answer>> answers;
        for (int i = 0; i < 5; ++i)
            answers.append(get(client, this));
        QTRY_COMPARE(held.size(), 2);
        QCOMPARE(client.openConnections(), 2);
        // Answer whatever is held until all five are done; never more than two at once.
        peer.setHandler(
            [](QLocalSocket *s, const QByteArray &) { s->write(TestPeer::json("{}")); });
        for (const auto &s : held)
            s->write(TestPeer::json("{}"));
        for (const auto &a : answers) {
            QVERIFY(a->wait());
            QVERIFY(a->result.ok());
        }
        QCOMPARE(peer.maxOpen(), 2);
    }

    void queueIsBounded() {
        TestPeer peer; // never answers
        HttpClient client(peer.path(), 1);
        QList<std::shared_ptr<Answer>> answers;
        // One connection busy, maxQueued waiting, then one too many.
        for (qsizetype i = 0; i < HttpPool::maxQueued + 2; ++i)
            answers.append(get(client, this, "/", 2000));
        QVERIFY(answers.last()->wait());
        QCOMPARE(answers.last()->result.error.kind, HttpError::Busy);
        QVERIFY(!answers.first()->called);
    }

    void destroyedContextIsNotCalled() {
        TestPeer peer;
        peer.setHandler(
            [](QLocalSocket *s, const QByteArray &) { s->write(TestPeer::json("{}")); });
        HttpClient client(peer.path());
        auto context = std::make_unique<QObject>();
        auto a = get(client, context.get());
        context.reset();
        auto b = get(client, this);
        QVERIFY(b->wait());
        QVERIFY(!a->called);
    }

    void destroyingClientCancels() {
        TestPeer peer;
        auto client = std::make_unique<HttpClient>(peer.path());
        auto a = get(*client, this);
        QTRY_COMPARE(peer.requests().size(), 1);
        client.reset();
        QVERIFY(a->wait());
        QCOMPARE(a->result.error.kind, HttpError::Cancelled);
    }

    void streamDeliversAsItArrives() {
        TestPeer peer;
        QPointer<QLocalSocket> server;
        peer.setHandler([&](QLocalSocket *s, const QByteArray &) {
            server = s;
            s->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nline1\n\r\n");
        });
        HttpClient client(peer.path());
        HttpRequest r;
        r.target = "/services/a/logs?follow=true";
        std::unique_ptr<HttpStream> stream(client.stream(r));
        QSignalSpy headers(stream.get(), &HttpStream::headersReceived);
        QSignalSpy data(stream.get(), &HttpStream::data);
        QSignalSpy finished(stream.get(), &HttpStream::finished);
        QVERIFY(headers.wait());
        QCOMPARE(headers.at(0).at(0).toInt(), 200);
        QTRY_COMPARE(data.size(), 1);
        QCOMPARE(data.at(0).at(0).toByteArray(), QByteArray("line1\n"));
        server->write("6\r\nline2\n\r\n");
        QTRY_COMPARE(data.size(), 2);
        QCOMPARE(finished.size(), 0);
        server->write("0\r\n\r\n");
        QVERIFY(finished.wait());
        QVERIFY(!finished.at(0).at(0).value<std::optional<HttpError>>().has_value());
    }

    void deletingStreamClosesConnection() {
        TestPeer peer;
        peer.setHandler([](QLocalSocket *s, const QByteArray &) {
            s->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        });
        HttpClient client(peer.path());
        std::unique_ptr<HttpStream> stream(client.stream(HttpRequest{}));
        QSignalSpy headers(stream.get(), &HttpStream::headersReceived);
        QVERIFY(headers.wait());
        QCOMPARE(peer.open(), 1);
        stream.reset();
        QTRY_COMPARE(peer.open(), 0);
        QCOMPARE(client.openConnections(), 0);
    }

    void streamToMissingSocketFinishesWithError() {
        QTemporaryDir dir;
        HttpClient client(dir.filePath(QStringLiteral("none.sock")));
        std::unique_ptr<HttpStream> stream(client.stream(HttpRequest{}));
        QSignalSpy finished(stream.get(), &HttpStream::finished);
        QVERIFY(finished.wait());
        const auto error = finished.at(0).at(0).value<std::optional<HttpError>>();
        QVERIFY(error.has_value());
        QCOMPARE(error->kind, HttpError::SocketMissing);
    }
};

QTEST_GUILESS_MAIN(HttpClientTest)
#include "core_http_client.moc"

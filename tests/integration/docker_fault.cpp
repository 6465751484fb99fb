// DockerClient against a purpose-built fake Engine on a Unix socket, for what a real Engine
// does not do on demand: other API versions, an upgrade under a running client, garbage, odd
// statuses and broken log frames.
#include "docker/DockerClient.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace sm;

namespace {

struct Reply {
    Reply(int s, QByteArray b = {}, QByteArray h = {})
        : status(s)
        , body(std::move(b))
        , extraHeaders(std::move(h)) {}
    int status;
    QByteArray body;
    QByteArray extraHeaders;
};

// Answers each request (one per connection read, bodies ignored: the client sends none here)
// with handler(target). Records the targets.
class FakeEngine final {
public:
    std::function<Reply(const QByteArray &target)> handler;
    QByteArray apiVersion = "1.41";
    QList<QByteArray> targets;

    bool listen(const QString &path) {
        QObject::connect(&m_server, &QLocalServer::newConnection, [this] {
            while (QLocalSocket *s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QLocalSocket::readyRead, s, [this, s] { onRead(s); });
                QObject::connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        return m_server.listen(path);
    }

private:
    void onRead(QLocalSocket *s) {
        QByteArray &buffer = m_buffers[s];
        buffer += s->readAll();
        qsizetype end;
        while ((end = buffer.indexOf("\r\n\r\n")) >= 0) {
            const QByteArray head = buffer.left(end);
            buffer.remove(0, end + 4);
            const QByteArray target = head.split(' ').value(1);
            targets.append(target);
            Reply r = target == "/_ping" ? Reply{200, "OK", "Api-Version: " + apiVersion + "\r\n"}
                                         : handler(target);
            if (r.status == 0)
                continue; // a hung Engine: never answers
            s->write("HTTP/1.1 " + QByteArray::number(r.status) + " X\r\n" + r.extraHeaders +
                     "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n\r\n" + r.body);
        }
    }
    QLocalServer m_server;
    QHash<QLocalSocket *, QByteArray> m_buffers;
};

QByteArray frame(int stream, const QByteArray &payload) {
    QByteArray h(8, '\0');
    h[0] = char(stream);
    h[7] = char(payload.size()); // payloads here are short
    return h + payload;
}

const QByteArray InspectBody =
    R"({"Id":"0123","Name":"/box","State":{"Status":"running","Running":true},"Config":{"Image":"img:1","Tty":false}})";

} // namespace

class DockerFaultTest final : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<FakeEngine> m_engine;
    std::unique_ptr<DockerClient> m_client;

    template <typename T>
    Result<T> await(std::function<void(std::function<void(Result<T>)>)> call) {
        std::optional<Result<T>> result;
        call([&result](Result<T> r) { result.emplace(std::move(r)); });
        if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
            return ApiError{0, QStringLiteral("no answer"), QJsonValue::Null};
        return *result;
    }
    Result<QList<DockerContainer>> list() {
        return await<QList<DockerContainer>>(
            [this](auto done) { m_client->containers(this, true, done); });
    }

private Q_SLOTS:
    void init() {
        static int n = 0;
        const QString path = m_dir.filePath(QStringLiteral("engine%1.sock").arg(++n));
        m_engine = std::make_unique<FakeEngine>();
        QVERIFY(m_engine->listen(path));
        m_client = std::make_unique<DockerClient>(path);
    }
    void cleanup() {
        m_client.reset();
        m_engine.reset();
    }

    void versionIsTheLowerOfBoth_data() {
        QTest::addColumn<QByteArray>("server");
        QTest::addColumn<QByteArray>("used");
        QTest::addRow("older server") << QByteArray("1.30") << QByteArray("1.30");
        QTest::addRow("newer server")
            << QByteArray("1.52") << QByteArray(DockerClient::OurApiVersion);
        QTest::addRow("1.9 is not 1.90") << QByteArray("1.9") << QByteArray("1.9");
        QTest::addRow("unreadable") << QByteArray("x") << QByteArray(DockerClient::OurApiVersion);
    }
    void versionIsTheLowerOfBoth() {
        QFETCH(QByteArray, server);
        QFETCH(QByteArray, used);
        m_engine->apiVersion = server;
        m_engine->handler = [](const QByteArray &) { return Reply{200, "[]"}; };
        QVERIFY(list().ok());
        QCOMPARE(m_engine->targets.size(), 2);
        QCOMPARE(m_engine->targets.last(), "/v" + used + "/containers/json?all=1");
        // Negotiated once, not per call.
        QVERIFY(list().ok());
        QCOMPARE(m_engine->targets.size(), 3);
    }

    // The Engine was upgraded under us and rejects the old version: negotiate again, retry once.
    void upgradedEngineIsRenegotiated() {
        m_engine->apiVersion = "1.41";
        bool upgraded = false;
        m_engine->handler = [&upgraded](const QByteArray &target) {
            if (upgraded && target.startsWith("/v1.41/"))
                return Reply{
                    400,
                    R"({"message":"client version 1.41 is too old. Minimum supported API version is 1.44"})"};
            return Reply{200, "[]"};
        };
        QVERIFY(list().ok());
        m_engine->apiVersion = "1.44";
        upgraded = true;
        const auto r = list();
        QVERIFY(r.ok());
        QCOMPARE(m_engine->targets.last(), QByteArray("/v1.44/containers/json?all=1"));
        QCOMPARE(m_client->apiVersion(), QStringLiteral("1.44"));
    }

    // Calls made while the version is being negotiated wait for that one ping.
    void oneNegotiationForConcurrentCalls() {
        m_engine->handler = [](const QByteArray &) { return Reply{200, "[]"}; };
        int answered = 0;
        for (int i = 0; i < 5; ++i)
            m_client->containers(this, false, [&answered](auto r) { answered += r.ok(); });
        QTRY_COMPARE(answered, 5);
        QCOMPARE(m_engine->targets.count("/_ping"), 1);
    }

    // A hung Engine costs a 504 after the read deadline; the next call is not held up by it.
    void hungEngineIs504() {
        m_client->setReadTimeoutMs(300);
        m_engine->handler = [](const QByteArray &target) {
            return target.contains("hang") ? Reply{0} : Reply{200, InspectBody};
        };
        std::optional<Result<DockerInspect>> hung;
        m_client->inspect(this, QStringLiteral("hang"), [&hung](auto r) { hung.emplace(r); });
        const auto fine = await<DockerInspect>(
            [this](auto done) { m_client->inspect(this, QStringLiteral("box"), done); });
        QVERIFY(fine.ok());
        QVERIFY(!hung.has_value());
        QTRY_VERIFY(hung.has_value());
        QCOMPARE(hung->error().status, 504);
    }

    void engineErrors_data() {
        QTest::addColumn<int>("engineStatus");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addRow("not a list") << 200 << QByteArray("{}") << 502
                                    << "Docker answered a container list that is not a JSON array";
        QTest::addRow("garbage") << 200 << QByteArray("\x01\x02") << 502 << "";
        QTest::addRow("engine failure") << 500 << QByteArray(R"({"message":"disk full"})") << 502
                                        << "Docker answered 500: disk full";
        QTest::addRow("conflict") << 409 << QByteArray(R"({"message":"busy"})") << 409
                                  << "Docker refused: busy";
    }
    void engineErrors() {
        QFETCH(int, engineStatus);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, message);
        m_engine->handler = [&](const QByteArray &) { return Reply{engineStatus, body}; };
        const auto r = list();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().status, status);
        if (!message.isEmpty())
            QCOMPARE(r.error().message, message);
    }

    void controlAnswers() {
        m_engine->handler = [](const QByteArray &target) {
            if (target.contains("/start"))
                return Reply{304, {}};
            if (target.contains("/stop"))
                return Reply{204, {}};
            return Reply{404, R"({"message":"no such container"})"};
        };
        auto control = [this](const QString &action, int t) {
            return await<Done>([&](auto done) {
                m_client->control(this, QStringLiteral("box"), action, t, done);
            });
        };
        QVERIFY(control(QStringLiteral("start"), 5).ok());
        QCOMPARE(m_engine->targets.last(), QByteArray("/v1.41/containers/box/start"));
        QVERIFY(control(QStringLiteral("stop"), 7).ok());
        QCOMPARE(m_engine->targets.last(), QByteArray("/v1.41/containers/box/stop?t=7"));
        QVERIFY(control(QStringLiteral("stop"), -1).ok());
        QCOMPARE(m_engine->targets.last(), QByteArray("/v1.41/containers/box/stop"));
        const auto r = control(QStringLiteral("restart"), 1);
        QCOMPARE(r.error().status, 404);
        QCOMPARE(r.error().message, QStringLiteral("Docker container 'box' not found"));
    }

    void brokenLogFrames() {
        m_engine->handler = [](const QByteArray &target) {
            if (target.endsWith("/json"))
                return Reply{200, InspectBody};
            return Reply{200, frame(1, "2026-11-26T14:05:25Z fine\n") + "\x09garbage"};
        };
        const auto r = await<QString>(
            [this](auto done) { m_client->logs(this, QStringLiteral("box"), 10, done); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().status, 502);
        QVERIFY(r.error().message.contains(QLatin1String("broken log frames for 'box'")));
    }

    void namesAreEncodedInPaths() {
        m_engine->handler = [](const QByteArray &) { return Reply{404, "{}"}; };
        const auto r = await<DockerInspect>(
            [this](auto done) { m_client->inspect(this, QStringLiteral("a/../b c"), done); });
        QCOMPARE(r.error().status, 404);
        QCOMPARE(m_engine->targets.last(), QByteArray("/v1.41/containers/a%2F..%2Fb%20c/json"));
    }

    void socketPathResolution() {
        QCOMPARE(DockerClient::resolveSocketPath(QStringLiteral("/x.sock")),
                 QStringLiteral("/x.sock"));
        qputenv("DOCKER_HOST", "unix:///run/user/1/docker.sock");
        QCOMPARE(DockerClient::resolveSocketPath(), QStringLiteral("/run/user/1/docker.sock"));
        qputenv("DOCKER_HOST", "tcp://10.0.0.1:2375");
        QCOMPARE(DockerClient::resolveSocketPath(), QStringLiteral("/var/run/docker.sock"));
        qunsetenv("DOCKER_HOST");
        QCOMPARE(DockerClient::resolveSocketPath(), QStringLiteral("/var/run/docker.sock"));
    }
};

QTEST_GUILESS_MAIN(DockerFaultTest)
#include "docker_fault.moc"

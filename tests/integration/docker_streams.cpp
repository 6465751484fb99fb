// DockerClient's long-lived parts against podman's Engine API: following logs, the events
// reader, and a socket that is absent, appears later, goes away and comes back.
#include "PodmanService.h"
#include "docker/DockerClient.h"
#include "docker/DockerStreams.h"
#include "http/HttpClient.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sm;

namespace {

const QRegularExpression
    TimestampedLine(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (.*)$)"));

template <typename T>
std::optional<Result<T>> await(std::function<void(QObject *, std::function<void(Result<T>)>)> call,
                               QObject *context) {
    std::optional<Result<T>> result;
    call(context, [&result](Result<T> r) { result.emplace(std::move(r)); });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 20000))
        return std::nullopt;
    return result;
}

QStringList texts(const QSignalSpy &lines) {
    QStringList out;
    for (const QList<QVariant> &args : lines) {
        const auto m = TimestampedLine.match(args.first().toString());
        out << (m.hasMatch() ? m.captured(2)
                             : QStringLiteral("<no timestamp> ") + args.first().toString());
    }
    return out;
}

} // namespace

class DockerStreamsTest final : public QObject {
    Q_OBJECT
    PodmanService m_podman;
    std::unique_ptr<DockerClient> m_client;

    Result<QList<DockerContainer>> list(DockerClient &client) {
        auto r = await<QList<DockerContainer>>(
            [&client](QObject *c, auto done) { client.containers(c, true, std::move(done)); },
            this);
        return r ? *r
                 : Result<QList<DockerContainer>>(ApiError{0, QStringLiteral("no answer"), {}});
    }

private Q_SLOTS:
    void initTestCase() {
        qRegisterMetaType<sm::ApiError>();
        qRegisterMetaType<sm::DockerEvent>();
        if (!PodmanService::installed())
            QSKIP("podman is not installed (apt-get install podman runc busybox-static)");
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        qInfo("podman service ready in %lld ms", m_podman.startupMs());
        m_client = std::make_unique<DockerClient>(m_podman.socketPath());
    }

    void cleanupTestCase() {
        m_client.reset();
        m_podman.stop();
        QVERIFY(m_podman.mountsBelowRoot().isEmpty());
    }

    void followLogs() {
        QVERIFY(!m_podman
                     .run(QStringLiteral("ticker"),
                          QStringLiteral("echo err >&2; i=0; while true; do echo tick $i; "
                                         "i=$((i+1)); sleep 0.2; done"))
                     .isEmpty());
        std::unique_ptr<LogStream> stream(m_client->followLogs(QStringLiteral("ticker"), 100));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        // The past lines first, then new ones as the container writes them.
        QTRY_VERIFY_WITH_TIMEOUT(texts(lines).contains(QStringLiteral("tick 8")), 15000);
        const QStringList got = texts(lines);
        QVERIFY2(got.contains(QStringLiteral("err")), qPrintable(got.join(',')));
        QCOMPARE(got.filter(QStringLiteral("tick")).first(), QStringLiteral("tick 0"));
        for (const QString &t : got)
            QVERIFY2(!t.startsWith(QLatin1String("<no timestamp>")), qPrintable(t));
        QVERIFY(finished.isEmpty());
        // Leaving closes the Engine connection (the stream has its own).
        const int open = m_client->http()->openConnections();
        stream.reset();
        QTRY_COMPARE(m_client->http()->openConnections(), open - 1);
    }

    void followEndsWithTheContainer() {
        QVERIFY(
            !m_podman.run(QStringLiteral("brief"), QStringLiteral("echo one; echo two")).isEmpty());
        QCOMPARE(m_podman.wait(QStringLiteral("brief")), 0);
        std::unique_ptr<LogStream> stream(m_client->followLogs(QStringLiteral("brief"), 10));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.first().first().value<ApiError>().status, 0);
        QCOMPARE(texts(lines), (QStringList{QStringLiteral("one"), QStringLiteral("two")}));
    }

    void followUnknownIs404() {
        std::unique_ptr<LogStream> stream(m_client->followLogs(QStringLiteral("nobody"), 10));
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.first().first().value<ApiError>().status, 404);
        QCOMPARE(finished.size(), 1);
    }

    void events() {
        std::unique_ptr<DockerEventReader> reader(m_client->events());
        QSignalSpy connected(reader.get(), &DockerEventReader::connected);
        QSignalSpy events(reader.get(), &DockerEventReader::containerEvent);
        QVERIFY(connected.wait(15000));
        QVERIFY(!m_podman.run(QStringLiteral("evented"), QStringLiteral("exec sleep 100000"))
                     .isEmpty());
        QVERIFY(m_podman.podman({QStringLiteral("stop"), QStringLiteral("-t"), QStringLiteral("0"),
                                 QStringLiteral("evented")}));
        auto seen = [&events](const char *action) {
            for (const QList<QVariant> &args : events) {
                const auto e = args.first().value<DockerEvent>();
                if (e.container == QLatin1String("evented") && e.action == QLatin1String(action))
                    return e.time.endsWith(QLatin1Char('Z'));
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(seen("start"), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(seen("die"), 15000);
    }

    // No socket: 503 naming the path; it appears: picked up at once, version negotiated.
    void socketAppearsLater() {
        QTemporaryDir dir;
        const QString link = dir.path() + QStringLiteral("/docker.sock");
        DockerClient client(link);
        auto absent = list(client);
        QVERIFY(!absent.ok());
        QCOMPARE(absent.error().status, 503);
        QVERIFY2(absent.error().message.contains(link), qPrintable(absent.error().message));
        QVERIFY(client.apiVersion().isEmpty());
        QVERIFY(QFile::link(m_podman.socketPath(), link));
        auto present = list(client);
        QVERIFY2(present.ok(), present.ok() ? "" : qPrintable(present.error().message));
        QCOMPARE(client.apiVersion(), QStringLiteral("1.41"));
    }

    // The Engine restarts: calls fail with 503 meanwhile and the reader reports its end; then
    // the same client works again after negotiating afresh.
    void engineRestarts() {
        std::unique_ptr<DockerEventReader> reader(m_client->events());
        QSignalSpy connected(reader.get(), &DockerEventReader::connected);
        QSignalSpy finished(reader.get(), &DockerEventReader::finished);
        QVERIFY(connected.wait(15000));
        QVERIFY(list(*m_client).ok());
        QVERIFY(!m_client->apiVersion().isEmpty());

        QVERIFY2(m_podman.stopService(), qPrintable(m_podman.errorString()));
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.size(), 1);
        auto down = list(*m_client);
        QVERIFY(!down.ok());
        QCOMPARE(down.error().status, 503);
        QVERIFY(m_client->apiVersion().isEmpty()); // nothing cached about the dead Engine

        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        auto up = list(*m_client);
        QVERIFY2(up.ok(), up.ok() ? "" : qPrintable(up.error().message));
        QCOMPARE(m_client->apiVersion(), QStringLiteral("1.41"));
        // The container started before the restart is still there, still running.
        bool ticker = false;
        for (const DockerContainer &c : up.value())
            ticker = ticker ||
                     (c.name == QLatin1String("ticker") && c.status == QLatin1String("running"));
        QVERIFY(ticker);
    }
};

QTEST_GUILESS_MAIN(DockerStreamsTest)
#include "docker_streams.moc"

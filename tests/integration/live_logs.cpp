// Log follows end to end: agent follow=true -> system-managerd -> SSE `log` events, over a real
// s6 tree whose services log through s6-log. A written line shows up on the open stream, the
// last `tail` lines come first, s6-log rotation mid-follow loses and duplicates nothing, a client
// that leaves closes the upstream connection, and cursor paging passes through.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "backend/RemoteBackend.h"
#include "live_support.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <fcntl.h>
#include <unistd.h>

#include <memory>

namespace {

// A service that logs whatever is written to the FIFO `input` in its directory.
const char *const kFifoService = "#!/bin/sh\nexec 2>&1\n[ -p input ] || mkfifo input\n"
                                 "exec cat 0<>input\n";

} // namespace

class LiveLogsTest final : public QObject {
    Q_OBJECT

    S6Tree m_tree;
    AgentProcess m_agent;
    LiveDaemon m_daemon;

    // Writes to a service's FIFO without blocking; false while nobody reads it yet.
    bool say(const QString &service, const QByteArray &text) {
        const QByteArray path = (m_tree.serviceDir(service) + "/input").toLocal8Bit();
        const int fd = ::open(path.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return false;
        const bool ok = ::write(fd, text.constData(), size_t(text.size())) == text.size();
        ::close(fd);
        return ok;
    }
    QByteArray logFile(const QString &service) const {
        QFile file(m_tree.logFile(service));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    QByteArray followPath(const QString &service, int tail) const {
        return "/containers/robot/services/" + service.toUtf8() +
               "/logs?follow=true&tail=" + QByteArray::number(tail);
    }

    // Follows the agent serves: each keeps its service's log file open.
    int agentFollows() const { return openFilesUnder(m_agent.pid(), m_tree.logDir()); }

private slots:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        S6Tree::ServiceOptions rotating;
        rotating.logger = true;
        rotating.loggerArgs = "n50 s4096"; // rotates every 4 KiB
        QVERIFY(m_tree.addService("talk", kFifoService, rotating));
        S6Tree::ServiceOptions plain;
        plain.logger = true;
        QVERIFY(m_tree.addService("pager", kFifoService, plain));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(say("talk", "talk is up\n"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(say("pager", "pager is up\n"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(logFile("talk").contains("talk is up"), 10000);
        QVERIFY2(m_agent.start(m_tree.scanDir(), m_tree.logDir(), m_tree.scanDir()),
                 qPrintable(m_agent.errorString()));
        const QByteArray yaml =
            "containers:\n  - name: robot\n    socket_path: " + m_agent.socketPath().toUtf8() +
            "\ndocker:\n  socket_path: " + m_daemon.dir().toUtf8() + "/no-docker.sock\n";
        QVERIFY2(m_daemon.start(yaml), m_daemon.errors().constData());
    }

    void cleanupTestCase() {
        m_daemon.stop();
        m_agent.stop();
        m_tree.stop();
    }

    void lastLinesFirst() {
        for (int i = 0; i < 10; ++i)
            QVERIFY(say("pager", "before " + QByteArray::number(i) + '\n'));
        QTRY_VERIFY_WITH_TIMEOUT(logFile("pager").contains("before 9\n"), 5000);
        SseTestClient client;
        client.get(m_daemon.port(), followPath("pager", 3), "Origin: http://ui:3000\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(client.count("log"), 3, 5000);
        QCOMPARE(client.status, 200);
        QCOMPARE(client.header("Content-Type"), QByteArray("text/event-stream"));
        QCOMPARE(client.header("Access-Control-Allow-Origin"), QByteArray("http://ui:3000"));
        QCOMPARE(client.data("log"), (QStringList{"before 7", "before 8", "before 9"}));
    }

    // The dashboard's RemoteBackend follows through the daemon: the wire formats agree.
    void remoteBackendFollows() {
        sm::RemoteBackend remote(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_daemon.port())));
        std::unique_ptr<sm::LogStream> stream(remote.followLogs("robot", "pager", 0));
        QStringList lines;
        connect(stream.get(), &sm::LogStream::line, this,
                [&lines](const QString &line) { lines.append(line); });
        QSignalSpy finished(stream.get(), &sm::LogStream::finished);
        // The stream is open once the daemon follows; lines written from then on arrive.
        QTRY_VERIFY_WITH_TIMEOUT(
            (say("pager", "to the dashboard\n"), lines.contains("to the dashboard")), 5000);
        QCOMPARE(finished.size(), 0);

        std::unique_ptr<sm::LogStream> missing(remote.followLogs("robot", "nope", 0));
        QSignalSpy ended(missing.get(), &sm::LogStream::finished);
        QVERIFY(ended.wait(5000));
        QCOMPARE(ended[0][0].value<sm::ApiError>().status, 404);
    }

    void linesArriveLive() {
        // Each line reaches the open stream before the next one is written.
        SseTestClient client;
        client.get(m_daemon.port(), followPath("pager", 0));
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 200, 5000);
        qint64 worst = 0;
        for (int i = 0; i < 5; ++i) {
            const QString line = QStringLiteral("live line %1").arg(i);
            const qint64 written = SseTestClient::nowMs();
            QVERIFY(say("pager", line.toUtf8() + '\n'));
            QTRY_VERIFY_WITH_TIMEOUT(client.data("log").contains(line), 3000);
            qint64 arrived = -1;
            for (qsizetype e = 0; e < client.events.size(); ++e) {
                if (client.events[e].event == u"log" && client.events[e].data == line)
                    arrived = client.eventAtMs[e];
            }
            worst = qMax(worst, arrived - written);
        }
        qInfo("log line written -> SSE log event: worst of 5 in %lld ms", worst);
    }

    void rotationLosesNothing() {
        SseTestClient client;
        client.get(m_daemon.port(), followPath("talk", 0));
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 200, 5000);
        const QString archives = m_tree.logDir() + "/talk";
        const int archivesBefore = QDir(archives).entryList({"@*"}, QDir::Files).size();
        constexpr int count = 600;
        QStringList expected;
        for (int i = 0; i < count; ++i)
            expected.append(QStringLiteral("rot %1 ").arg(i, 4, 10, QLatin1Char('0')) +
                            QString(40, u'x'));
        // In batches that fit the pipe, each once the logger has taken the previous one.
        for (int i = 0; i < count; i += 50) {
            QByteArray batch;
            for (int j = i; j < i + 50; ++j)
                batch += expected[j].toUtf8() + '\n';
            QVERIFY(say("talk", batch));
            QTRY_VERIFY_WITH_TIMEOUT(client.data("log").contains(expected[i + 49]), 5000);
        }
        QStringList got;
        for (const QString &line : client.data("log")) {
            if (line.startsWith("rot "))
                got.append(line);
        }
        QCOMPARE(got.size(), count);
        QCOMPARE(got, expected);
        const int rotations = QDir(archives).entryList({"@*"}, QDir::Files).size() - archivesBefore;
        qInfo("%d lines followed across %d s6-log rotations", count, rotations);
        QVERIFY(rotations >= 3);
    }

    // Opens `count` follows at once and waits for their first line.
    void openFollows(int count, std::vector<std::unique_ptr<SseTestClient>> &clients) {
        for (int i = 0; i < count; ++i) {
            clients.push_back(std::make_unique<SseTestClient>());
            clients.back()->get(m_daemon.port(), followPath("pager", 1));
        }
        for (const auto &client : clients)
            QTRY_COMPARE_WITH_TIMEOUT(client->count("log"), 1, 5000);
    }

    void leavingClosesUpstream() {
        const qint64 daemonPid = m_daemon.pid();
        const qint64 agentPid = m_agent.pid();
        // The daemon's keep-alive pool to the agent changes on its own while this runs (the
        // status poller's requests meet the follows' status checks), so the follows' own
        // connections are counted: the daemon's TCP clients, and the agent's follows, each of
        // which the agent ends only once it reads the daemon's close of the upstream one. The
        // agent reads it after the daemon's counts have dropped: wait for both.
        const auto settled = [&] { return tcpConnections(daemonPid) == 0 && agentFollows() == 0; };
        QTRY_VERIFY_WITH_TIMEOUT(settled(), 5000);
        const int daemonBase = openSockets(daemonPid);
        const int agentBase = openSockets(agentPid);

        std::vector<std::unique_ptr<SseTestClient>> clients;
        openFollows(3, clients);
        QVERIFY(!QTest::currentTestFailed());
        // Each follow holds a client connection and an upstream one to the agent. A client an
        // earlier test closed counts until the daemon has read its end, which a busy machine
        // can delay past the settling above.
        QTRY_COMPARE_WITH_TIMEOUT(tcpConnections(daemonPid), 3, 5000);
        QCOMPARE(agentFollows(), 3);
        for (const auto &client : clients)
            client->socket.disconnectFromHost();
        QTRY_VERIFY2_WITH_TIMEOUT(settled(),
                                  qPrintable(QStringLiteral("daemon clients %1, agent follows %2")
                                                 .arg(tcpConnections(daemonPid))
                                                 .arg(agentFollows())),
                                  5000);
        // Nothing else is left behind on either side: what the pool gained or lost meanwhile
        // each side counts once, a socket left on one side shows as a difference.
        QTRY_COMPARE_WITH_TIMEOUT(openSockets(daemonPid) - daemonBase,
                                  openSockets(agentPid) - agentBase, 5000);
    }

    void unknownServiceIsNotFound() {
        SseTestClient client;
        client.get(m_daemon.port(), followPath("nope", 5));
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 404, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(client.body.contains("\"error\""), 5000);
    }

    void cursorPaging() {
        auto page = [this](qint64 cursor, QJsonObject &answer) {
            SseTestClient client;
            client.get(m_daemon.port(), "/containers/robot/services/pager/logs?cursor=" +
                                            QByteArray::number(cursor));
            QTRY_VERIFY_WITH_TIMEOUT(
                client.status != 0 && QJsonDocument::fromJson(client.body).isObject(), 5000);
            QVERIFY2(client.status == 200, client.body.constData());
            answer = QJsonDocument::fromJson(client.body).object();
        };
        QJsonObject first;
        page(0, first);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(first.value("cursor").isDouble());
        const qint64 cursor = first.value("cursor").toInteger();
        QCOMPARE(cursor, qint64(logFile("pager").size()));

        QVERIFY(say("pager", "paged line\n"));
        QTRY_VERIFY_WITH_TIMEOUT(logFile("pager").endsWith("paged line\n"), 5000);
        QJsonObject next;
        page(cursor, next);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(next.value("logs").toString(), QString("paged line\n"));
        QCOMPARE(next.value("cursor").toInteger(), cursor + 11);
        QCOMPARE(next.value("container").toString(), QString("robot"));
    }
};

QTEST_GUILESS_MAIN(LiveLogsTest)
#include "live_logs.moc"

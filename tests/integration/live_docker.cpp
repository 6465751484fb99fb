// Docker live updates against a real Engine API (podman's service): the StatusMonitor follows
// /events when the Engine's socket appears only after it started and across Engine restarts, and
// system-managerd streams container events on GET /events and a container's log as SSE `log`
// events.
#include "PodmanService.h"
#include "docker/DockerClient.h"
#include "live_support.h"
#include "monitor/StatusMonitor.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace {

bool hasEvent(const QList<sm::DockerEvent> &events, const QString &container,
              const QStringList &actions) {
    for (const sm::DockerEvent &event : events) {
        if (event.container == container && actions.contains(event.action))
            return true;
    }
    return false;
}

} // namespace

class LiveDockerTest final : public QObject {
    Q_OBJECT

    PodmanService m_podman;
    LiveDaemon m_daemon;

private slots:
    void initTestCase() {
        if (!PodmanService::installed())
            QSKIP("podman is not installed (apt-get install podman runc busybox-static)");
    }

    void cleanupTestCase() {
        m_daemon.stop();
        m_podman.stop();
    }

    void monitorFollowsTheEngineThroughRestarts() {
        // The Engine's socket does not exist yet: the monitor keeps trying, with backoff.
        sm::DockerClient client(m_podman.socketPath());
        sm::StatusMonitor::Settings settings;
        settings.dockerRetryMaxMs = 1000;
        sm::StatusMonitor monitor(nullptr, {}, &client, settings);
        QList<sm::DockerEvent> events;
        connect(&monitor, &sm::StatusMonitor::dockerEvent, this,
                [&events](const sm::DockerEvent &event) { events.append(event); });
        monitor.start();
        QVERIFY(!monitor.dockerConnected());

        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        qInfo("podman service ready in %lld ms", m_podman.startupMs());
        QTRY_VERIFY_WITH_TIMEOUT(monitor.dockerConnected(), 10000);

        QVERIFY(!m_podman.run("early", "exec sleep 100000").isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, "early", {"start"}), 10000);
        QVERIFY(m_podman.podman({"stop", "-t", "0", "early"}));
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, "early", {"die", "stop"}), 10000);
        for (const sm::DockerEvent &event : std::as_const(events))
            QVERIFY2(event.time.contains('T'), qPrintable(event.time)); // ISO 8601

        // The Engine restarts: the stream ends, and is opened again once it is back.
        const int attempts = monitor.dockerAttempts();
        QVERIFY(m_podman.stopService());
        QTRY_VERIFY_WITH_TIMEOUT(!monitor.dockerConnected(), 10000);
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(monitor.dockerConnected(), 10000);
        QVERIFY(monitor.dockerAttempts() > attempts);
        QVERIFY(!m_podman.run("after", "exec sleep 100000").isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, "after", {"start"}), 10000);
        QVERIFY(m_podman.podman({"rm", "-f", "-t", "0", "early", "after"}));
    }

    void daemonStreamsContainerEvents() {
        QVERIFY(m_podman.isRunning());
        const QByteArray yaml =
            "containers: []\ndocker:\n  socket_path: " + m_podman.socketPath().toUtf8() + "\n";
        QVERIFY2(m_daemon.start(yaml), m_daemon.errors().constData());
        SseTestClient client;
        client.get(m_daemon.port(), "/events");
        QTRY_COMPARE_WITH_TIMEOUT(client.status, 200, 5000);

        QVERIFY(!m_podman.run("web", "exec sleep 100000").isEmpty());
        QVERIFY(m_podman.podman({"stop", "-t", "0", "web"}));
        auto stopped = [&client] {
            for (const QString &data : client.data("docker")) {
                const QJsonObject event = QJsonDocument::fromJson(data.toUtf8()).object();
                if (event.value("container").toString() == u"web" &&
                    (event.value("action").toString() == u"die" ||
                     event.value("action").toString() == u"stop"))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(stopped(), 10000);
        const QJsonObject first =
            QJsonDocument::fromJson(client.data("docker")[0].toUtf8()).object();
        QCOMPARE(first.keys(), (QStringList{"action", "container", "time"}));
    }

    void daemonFollowsContainerLogs() {
        QVERIFY(m_podman.isRunning());
        QVERIFY(!m_podman
                     .run("talker", "echo one; echo two; echo three; "
                                    "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done")
                     .isEmpty());
        const qint64 daemonPid = m_daemon.pid();
        const int before = openSockets(daemonPid);
        {
            SseTestClient client;
            client.get(m_daemon.port(), "/docker/containers/talker/logs?follow=true&tail=2");
            QTRY_VERIFY_WITH_TIMEOUT(client.count("log") >= 5, 10000);
            QCOMPARE(client.status, 200);
            QCOMPARE(client.header("Content-Type"), QByteArray("text/event-stream"));
            const QStringList lines = client.data("log");
            // Lines keep coming, in order, each with its timestamp and no frame bytes.
            for (const QString &line : lines) {
                QVERIFY2(line.contains(" tick ") || line.contains(" one") ||
                             line.contains(" two") || line.contains(" three"),
                         qPrintable(line));
                QVERIFY(!line.contains(QChar(0)));
            }
            QVERIFY(openSockets(daemonPid) > before);
            client.socket.disconnectFromHost();
        }
        // The client left: the daemon's follow connection to the Engine is closed too (the
        // pool's keep-alive connection for the status check may stay).
        QTRY_VERIFY_WITH_TIMEOUT(openSockets(daemonPid) <= before + 1, 5000);

        SseTestClient missing;
        missing.get(m_daemon.port(), "/docker/containers/nope/logs?follow=true");
        QTRY_COMPARE_WITH_TIMEOUT(missing.status, 404, 5000);
    }
};

QTEST_GUILESS_MAIN(LiveDockerTest)
#include "live_docker.moc"

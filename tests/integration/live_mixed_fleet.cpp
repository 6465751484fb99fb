// A mixed fleet: one robot container runs the project's s6-agent, which pushes its states
// (GET /events), the other still runs an agent of the original service, which has no /events
// and answers 404 there. The daemon subscribes to the first and polls the second; /events
// clients get both containers' changes. The old agent is a purpose-built peer that speaks only
// the original agent's routes.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "backend/RemoteBackend.h"
#include "live_support.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>

namespace {

QJsonObject json(const QString &text) {
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QJsonObject lastServiceEvent(const SseTestClient &client, const QString &container,
                             const QString &name) {
    const QStringList events = client.data("service");
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        const QJsonObject object = json(*it);
        if (object.value("container").toString() == container &&
            object.value("service").toString() == name)
            return object;
    }
    return {};
}

// The original agent's routes, one request per connection: GET /services and
// GET /services/status; everything else (GET /events among them) is FastAPI's 404.
class OldAgent final : public QObject {
public:
    explicit OldAgent(const QString &path) {
        m_server.listen(path);
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
                    m_buffer[socket] += socket->readAll();
                    if (!m_buffer[socket].contains("\r\n\r\n"))
                        return;
                    const QByteArray line = m_buffer.take(socket).split('\r').first();
                    const QByteArray target = line.split(' ').value(1);
                    requests.append(target);
                    socket->write(answer(target));
                    socket->disconnectFromServer();
                });
                connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    bool listening() const { return m_server.isListening(); }

    qint64 pid = 4242;
    QList<QByteArray> requests;

private:
    QByteArray answer(const QByteArray &target) const {
        QByteArray status = "200 OK";
        QByteArray body;
        const QByteArray legacy = R"({"name":"nav","raw":"up (pid )" + QByteArray::number(pid) +
                                  R"() 5 seconds","is_up":true,"pid":)" + QByteArray::number(pid) +
                                  R"(,"uptime_seconds":5})";
        if (target == "/services")
            body = R"({"services":["nav"]})";
        else if (target == "/services/status")
            body = R"({"statuses":[)" + legacy + "]}";
        else if (target == "/services/nav/status")
            body = legacy;
        else
            status = "404 Not Found", body = R"({"detail":"Not Found"})";
        return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }

    QLocalServer m_server;
    QHash<QLocalSocket *, QByteArray> m_buffer;
};

} // namespace

class LiveMixedFleetTest final : public QObject {
    Q_OBJECT

    S6Tree m_tree;
    AgentProcess m_agent;
    QTemporaryDir m_tmp;
    std::unique_ptr<OldAgent> m_old;
    LiveDaemon m_daemon;

private slots:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        QVERIFY(m_tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY(m_tree.waitUntilUp("web"));
        AgentProcess::Options options;
        options.scanDir = m_tree.scanDir();
        options.logDir = m_tree.logDir();
        options.rcSourceDir = m_tree.scanDir();
        QVERIFY2(m_agent.start(options), qPrintable(m_agent.errorString()));
        m_old = std::make_unique<OldAgent>(m_tmp.filePath("old.sock"));
        QVERIFY(m_old->listening());
        const QByteArray yaml =
            "containers:\n  new:\n    socket_path: " + m_agent.socketPath().toUtf8() +
            "\n  old:\n    socket_path: " + m_tmp.filePath("old.sock").toUtf8() +
            "\ndocker:\n  socket_path: " + m_daemon.dir().toUtf8() +
            "/no-docker.sock\nmonitor:\n  poll_interval_ms: 100\n";
        QVERIFY2(m_daemon.start(yaml), m_daemon.errors().constData());
    }

    void cleanupTestCase() {
        m_daemon.stop();
        m_agent.stop();
        m_tree.stop();
    }

    void bothContainersLive() {
        SseTestClient client;
        client.get(m_daemon.port(), "/events");
        QTRY_VERIFY_WITH_TIMEOUT(!lastServiceEvent(client, "new", "web").isEmpty() &&
                                     !lastServiceEvent(client, "old", "nav").isEmpty(),
                                 10000);
        QCOMPARE(lastServiceEvent(client, "old", "nav").value("pid").toInteger(), 4242);
        // The old agent was asked for /events once, said 404, and is polled since.
        QVERIFY(m_old->requests.contains("/events"));
        QCOMPARE(m_old->requests.count("/events"), 1);
        QTRY_VERIFY(m_old->requests.count("/services/status") >= 3);

        // A change on the old agent reaches the client by the poll.
        m_old->pid = 4343;
        QTRY_COMPARE_WITH_TIMEOUT(lastServiceEvent(client, "old", "nav").value("pid").toInteger(),
                                  4343, 10000);
        // A change on the new one by its push.
        const qint64 pid = lastServiceEvent(client, "new", "web").value("pid").toInteger();
        QVERIFY(pid > 0);
        QVERIFY(m_tree.svc("web", "-k"));
        QTRY_VERIFY_WITH_TIMEOUT(
            lastServiceEvent(client, "new", "web").value("pid").toInteger() != pid, 10000);
        QCOMPARE(m_old->requests.count("/events"), 1); // never asked to push again
        // Both agents are reported reachable.
        QVERIFY(client.data("agent").contains(R"({"container":"new","reachable":true})"));
        QVERIFY(client.data("agent").contains(R"({"container":"old","reachable":true})"));
    }

    // The old agent has no deaths route: a clear 501 saying so (not "unreachable", not the
    // unknown service's 404); its statuses carry no death fields, so the older crash-loop rule
    // applies to them, and the dashboard shows no death count.
    void oldAgentHasNoDeaths() {
        sm::RemoteBackend remote(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_daemon.port())));
        const auto deaths = [&](const QString &container, const QString &service) {
            std::optional<sm::Result<sm::ServiceDeaths>> result;
            remote.deaths(this, container, service,
                          [&](sm::Result<sm::ServiceDeaths> r) { result = std::move(r); });
            return QTest::qWaitFor([&] { return result.has_value(); }, 10000)
                       ? std::move(*result)
                       : sm::Result<sm::ServiceDeaths>(sm::ApiError::timeout("no answer"));
        };
        const auto old = deaths("old", "nav");
        QVERIFY(!old.ok());
        QCOMPARE(old.error().status, 501);
        QVERIFY2(old.error().message.contains("container 'old'") &&
                     old.error().message.contains("older"),
                 qPrintable(old.error().message));
        QVERIFY(m_old->requests.contains("/services/nav/deaths"));
        const auto fresh = deaths("new", "web");
        QVERIFY2(fresh.ok(), qPrintable(fresh.ok() ? QString() : fresh.error().message));
        QCOMPARE(deaths("new", "nope").error().status, 404);

        std::optional<sm::Result<sm::ServiceStatus>> status;
        remote.status(this, "old", "nav", [&](sm::Result<sm::ServiceStatus> r) { status = r; });
        QTRY_VERIFY(status.has_value());
        QVERIFY(status->ok());
        QVERIFY(!status->value().deathFieldsReported);
        QVERIFY(!status->value().deathsLastHour);
        QVERIFY(!status->value().crashLooping());
        QVERIFY(!status->value().failed());
    }
};

QTEST_GUILESS_MAIN(LiveMixedFleetTest)
#include "live_mixed_fleet.moc"

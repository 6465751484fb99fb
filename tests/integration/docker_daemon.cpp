// system-managerd's /docker routes end to end over podman's Engine API: the socket is absent
// when the daemon starts (503, the rest keeps working) and appears later (picked up without a
// restart); then the exact REST shapes, the docker.control allowlist, 404 and log follows.
#include "../integration/daemon_support.h"
#include "PodmanService.h"

#include <QJsonArray>

namespace {
const QRegularExpression
    TimestampedLine(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (.*)$)"));
}

class DockerDaemonTest final : public QObject {
    Q_OBJECT
    PodmanService m_podman;
    DaemonProcess m_daemon;
    std::unique_ptr<DaemonClient> m_client;
    QString m_link;

    void checkError(const DaemonAnswer &a, int status, const QString &message = {}) {
        QCOMPARE(a.status, status);
        QCOMPARE(keyOrder(a.body), (QStringList{"error", "detail"}));
        if (!message.isEmpty())
            QCOMPARE(a.json().value("error").toString(), message);
    }

private Q_SLOTS:
    void initTestCase() {
        if (!PodmanService::installed())
            QSKIP("podman is not installed (apt-get install podman runc busybox-static)");
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        QVERIFY(!m_podman.run("allowed", "echo hello; echo oops >&2; exec sleep 100000").isEmpty());
        QVERIFY(!m_podman.run("guarded", "exec sleep 100000").isEmpty());
        m_link = m_daemon.dir() + "/docker.sock";
        const QByteArray config = "containers: []\n"
                                  "docker:\n"
                                  "  socket_path: " +
                                  m_link.toUtf8() +
                                  "\n"
                                  "  control: [allowed]\n"
                                  "state:\n"
                                  "  dir: " +
                                  m_daemon.dir().toUtf8() + "/state\n";
        QVERIFY2(m_daemon.startWithConfig(config), m_daemon.allStderr().constData());
        m_client = std::make_unique<DaemonClient>(m_daemon.baseUrl());
    }

    void cleanupTestCase() {
        m_client.reset();
        QCOMPARE(m_daemon.stop(), 0);
        m_podman.stop();
        QVERIFY(m_podman.mountsBelowRoot().isEmpty());
    }

    void socketAbsentThenAppears() {
        const DaemonAnswer absent = m_client->get("/docker/containers");
        checkError(absent, 503);
        QVERIFY2(absent.json().value("error").toString().contains(m_link), absent.body.constData());
        QCOMPARE(m_client->get("/healthz").json().value("docker").toString(),
                 QString("unavailable"));
        QCOMPARE(m_client->get("/").status, 200);

        QVERIFY(QFile::link(m_podman.socketPath(), m_link));
        const DaemonAnswer list = m_client->get("/docker/containers?all=true");
        QCOMPARE(list.status, 200);
        const QJsonArray rows = list.json().value("containers").toArray();
        QCOMPARE(rows.size(), 2);
        const int open = list.body.indexOf("[{");
        QVERIFY(open > 0);
        QCOMPARE(keyOrder(list.body.mid(open + 1, list.body.indexOf('}', open) - open)),
                 (QStringList{"id", "name", "status", "image", "created"}));
        QStringList names;
        for (const QJsonValue &row : rows)
            names << row.toObject().value("name").toString();
        names.sort();
        QCOMPARE(names, (QStringList{"allowed", "guarded"}));
        QCOMPARE(m_client->get("/healthz").json().value("docker").toString(), QString("available"));
    }

    void status() {
        const DaemonAnswer a = m_client->get("/docker/containers/allowed/status");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body),
                 (QStringList{"id", "name", "status", "state", "running", "restarting", "paused",
                              "image", "created", "started_at", "finished_at", "exit_code"}));
        const QJsonObject o = a.json();
        QCOMPARE(o.value("id").toString().size(), 64);
        QCOMPARE(o.value("name").toString(), QString("allowed"));
        QCOMPARE(o.value("status").toString(), QString("running"));
        QCOMPARE(o.value("running").toBool(), true);
        QCOMPARE(o.value("image").toString(), QString("localhost/tiny:latest"));
        QVERIFY(o.value("exit_code").isNull());
        checkError(m_client->get("/docker/containers/ghost/status"), 404,
                   "Docker container 'ghost' not found");
    }

    void control() {
        const DaemonAnswer denied =
            m_client->call("POST", "/docker/containers/guarded", R"({"action":"stop"})");
        checkError(denied, 403);
        QCOMPARE(
            m_client->get("/docker/containers/guarded/status").json().value("status").toString(),
            QString("running"));

        const DaemonAnswer restarted = m_client->call("POST", "/docker/containers/allowed",
                                                      R"({"action":"restart","timeout":1})");
        QCOMPARE(restarted.status, 200);
        QCOMPARE(restarted.body,
                 QByteArray(R"({"name":"allowed","action":"restart","result":"ok"})"));
        // Starting a running container is fine (the Engine's 304).
        const DaemonAnswer again =
            m_client->call("POST", "/docker/containers/allowed", R"({"action":"start"})");
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value("result").toString(), QString("ok"));
        // The allowlist is checked first: a name outside it is refused whether it exists or not.
        checkError(m_client->call("POST", "/docker/containers/ghost", R"({"action":"start"})"),
                   403);

        // Each request audited, refused ones too (no tokens: role "open", no token name).
        const QJsonArray audit = m_client->get("/audit").json().value("entries").toArray();
        QStringList seen;
        for (const QJsonValue &e : audit) {
            const QJsonObject o = e.toObject();
            QVERIFY(o.value("token").isNull());
            QCOMPARE(o.value("role").toString(), QString("open"));
            QCOMPARE(o.value("route").toString(), QString("/docker/containers/{name}"));
            seen << QStringLiteral("%1 %2 %3")
                        .arg(o.value("target").toString(), o.value("action").toString())
                        .arg(o.value("status").toInt());
        }
        QCOMPARE(seen, QStringList({"ghost start 403", "allowed start 200", "allowed restart 200",
                                    "guarded stop 403"}));
        // The Engine's events for the restart are in the history.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonArray events =
                    m_client->get("/history?container=allowed").json().value("events").toArray();
                for (const QJsonValue &e : events)
                    if (e.toObject().value("source").toString() == "docker" &&
                        e.toObject().value("kind").toString() == "start")
                        return true;
                return false;
            }(),
            15000);
    }

    void logs() {
        const DaemonAnswer a = m_client->get("/docker/containers/guarded/logs?tail=5");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body), (QStringList{"container", "logs", "tail"}));
        QCOMPARE(a.json().value("logs").toString(), QString());
        // After the restart "allowed" said hello twice: stdout and stderr, one timestamp each.
        const DaemonAnswer b = m_client->get("/docker/containers/allowed/logs?tail=100");
        QCOMPARE(b.status, 200);
        QCOMPARE(b.json().value("container").toString(), QString("allowed"));
        QCOMPARE(b.json().value("tail").toInt(), 100);
        const QStringList lines = b.json().value("logs").toString().split('\n', Qt::SkipEmptyParts);
        QStringList texts;
        for (const QString &line : lines) {
            const auto m = TimestampedLine.match(line);
            QVERIFY2(m.hasMatch(), qPrintable(line));
            texts << m.captured(2);
        }
        texts.sort();
        QCOMPARE(texts, (QStringList{"hello", "hello", "oops", "oops"}));
    }

    void followLogs() {
        QNetworkReply *reply =
            m_client->send("GET", "/docker/containers/allowed/logs?follow=true&tail=2");
        QByteArray body;
        QObject::connect(reply, &QNetworkReply::readyRead, [&] { body += reply->readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(body.count("event: log") >= 2, 15000);
        QVERIFY2(body.contains("hello") || body.contains("oops"), body.constData());
        reply->abort();
        reply->deleteLater();
        // The daemon is fine after the client left.
        QCOMPARE(m_client->get("/docker/containers/allowed/status").status, 200);
    }
};

QTEST_GUILESS_MAIN(DockerDaemonTest)
#include "docker_daemon.moc"

#pragma once

#include "ErrorShape.h"

// Shared by the REST unit tests: a RestServer on a free loopback port over FakeBackend, and a
// QNetworkAccessManager client whose answers are waited for with QSignalSpy.

#include "FakeBackend.h"
#include "RestServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace sm;

// JSON text written with ' for " so the expected bodies stay readable.
inline QByteArray J(const char *text) {
    return QByteArray(text).replace('\'', '"');
}

struct Answer {
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class RestFixture : public QObject {
protected:
    FakeBackend *m_backend = nullptr;
    std::unique_ptr<RestServer> m_server;
    QNetworkAccessManager m_nam;
    quint16 m_port = 0;

    // The robot that the expected bodies describe. It cannot follow logs.
    static void scriptRobot(FakeBackend &backend) {
        backend.containerList = {{"ai_worker", "/agents/ai_worker/s6_agent.sock"},
                                 {"perception", "/agents/p.sock"}};
        backend.agents["ai_worker"].services = {{"ros_bridge", "ROS Bridge"}, {"svc", "svc"}};
        backend.logText["ai_worker/svc"] = "a\nb\n";
        backend.cursorSupported = false;
        backend.canFollow = false;
        backend.dockerList = {
            {QString(64, u'a'), "ai_worker", "running", "repo:tag", "2024-01-01T00:00:00Z"}};
        DockerStatus &docker = backend.dockerDetails["ai_worker"];
        docker.id = QString(64, u'b');
        docker.name = "ai_worker";
        docker.status = "running";
        docker.state = "running";
        docker.running = true;
        docker.image = "repo:tag";
        docker.created = "2024-01-01T00:00:00Z";
        docker.startedAt = "2024-01-01T00:00:01Z";
        docker.finishedAt = "0001-01-01T00:00:00Z";
        backend.logText["docker/ai_worker"] = "2024-01-01T00:00:00Z hi\n";
        backend.healthValue = {};
        backend.healthValue.agents = {{"ai_worker", true}, {"perception", false}};
    }

    void startServer(RestSettings settings = {}) {
        m_server.reset();
        delete m_backend;
        m_backend = new FakeBackend;
        scriptRobot(*m_backend);
        if (settings.containers.isEmpty())
            settings.containers = {"ai_worker", "perception"};
        settings.accessLog = false;
        m_server = std::make_unique<RestServer>(m_backend, settings);
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }

    QNetworkReply *send(const QByteArray &verb, const QByteArray &path, const QByteArray &body = {},
                        const HeaderList &headers = {}) {
        QNetworkRequest request(
            QUrl::fromEncoded("http://127.0.0.1:" + QByteArray::number(m_port) + path));
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        for (const auto &[k, v] : headers)
            request.setRawHeader(k, v);
        return m_nam.sendCustomRequest(request, verb, body);
    }

    Answer call(const QByteArray &verb, const QByteArray &path, const QByteArray &body = {},
                const HeaderList &headers = {}) {
        QNetworkReply *reply = send(verb, path, body, headers);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        Answer answer;
        if (!finished.wait(10000))
            return answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        for (const auto &[k, v] : reply->rawHeaderPairs())
            answer.headers.insert(k.toLower(), v);
        reply->deleteLater();
        return answer;
    }

    void checkError(const Answer &a, int status) {
        QCOMPARE(a.status, status);
        const QJsonObject o = a.json();
        QCOMPARE(o.keys(), QStringList({"detail", "error"}));
        QVERIFY(!o.value("error").toString().isEmpty());
        QVERIFY(a.body.startsWith("{\"" + errorshape::keyOrderFor(a.status, o).first().toUtf8() +
                                  "\":"));
        QCOMPARE(a.headers.value("vary"), QByteArray("Origin"));
        QCOMPARE(a.headers.value("access-control-allow-origin"), QByteArray("*"));
    }

    void setUp() { startServer(); }
    void tearDown() {
        m_server.reset();
        delete m_backend;
        m_backend = nullptr;
    }
};

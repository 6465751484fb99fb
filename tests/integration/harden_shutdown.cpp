// SIGTERM under load: with an event stream open, requests waiting on a hung agent and a burst
// of requests to a real one in flight, system-managerd exits by itself with 0 without waiting
// for the hung agent's deadline; the real agent's requests are answered, the hung agent's get
// 503 "shutting down" (none hangs), the stream ends, and the port no longer accepts
// connections.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

#include <QLocalServer>
#include <QTcpSocket>

namespace {

// Accepts agent connections and never answers.
class HungAgent final : public QObject {
public:
    explicit HungAgent(const QString &path) { m_server.listen(path); }
    bool listening() const { return m_server.isListening(); }

private:
    QLocalServer m_server;
};

} // namespace

class HardenShutdownTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sigtermUnderLoad() {
        S6Tree tree;
        QVERIFY(tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(tree.start(), qPrintable(tree.errorString()));
        AgentProcess agent;
        QVERIFY2(agent.start(agentOptions(tree)), qPrintable(agent.errorString()));
        QTemporaryDir tmp;
        HungAgent hung(tmp.filePath("hung.sock"));
        QVERIFY(hung.listening());

        DaemonProcess daemon;
        const QByteArray config =
            "containers:\n  - name: robot\n    socket_path: " + agent.socketPath().toUtf8() +
            "\n  - name: hung\n    socket_path: " + tmp.filePath("hung.sock").toUtf8() +
            "\ndocker:\n  socket_path: " + tmp.filePath("no-docker.sock").toUtf8() +
            "\napi:\n  request_timeout_ms: 120000\n";
        QVERIFY2(daemon.startWithConfig(config, {"--quiet"}), daemon.allStderr().constData());
        const QUrl base(daemon.baseUrl());

        // Several managers, so that the requests really are in flight at once.
        std::vector<std::unique_ptr<DaemonClient>> clients;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 8; ++i) {
            clients.push_back(std::make_unique<DaemonClient>(daemon.baseUrl()));
            for (int j = 0; j < 6; ++j)
                replies.append(
                    clients.back()->send("GET", j % 2 ? "/containers/hung/services/status"
                                                      : "/containers/robot/services/web/status"));
        }
        DaemonClient events(daemon.baseUrl());
        QNetworkReply *stream = events.send("GET", "/events");
        QSignalSpy streamData(stream, &QNetworkReply::readyRead);
        QVERIFY(streamData.wait(10000)); // the snapshot arrived: the stream is live
        QTRY_VERIFY_WITH_TIMEOUT(
            std::count_if(replies.begin(), replies.end(),
                          [](QNetworkReply *r) { return r->isFinished(); }) >= 24,
            10000); // the real agent's requests are answered; the hung ones wait

        // The hung agent's deadline lies far beyond this wait, which only guards against a
        // daemon that never exits: it must end those requests itself.
        QCOMPARE(daemon.stop(30000), 0);

        // Everything ends: no request or stream is left hanging.
        QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(),
                                             [](QNetworkReply *r) { return r->isFinished(); }),
                                 5000);
        int answered = 0, closed = 0;
        for (QNetworkReply *r : std::as_const(replies)) {
            const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 200)
                ++answered;
            else if (status == 503)
                ++closed;
            else
                QVERIFY2(r->error() == QNetworkReply::RemoteHostClosedError,
                         qPrintable(r->errorString()));
        }
        QCOMPARE(answered, 24);
        QCOMPARE(closed, 24); // every request on the hung agent got its 503

        // The port is closed.
        QTcpSocket probe;
        QSignalSpy failed(&probe, &QTcpSocket::errorOccurred);
        probe.connectToHost(base.host(), quint16(base.port()));
        QVERIFY(failed.wait(5000));
        QCOMPARE(probe.error(), QAbstractSocket::ConnectionRefusedError);

        QVERIFY(agent.stop());
        QVERIFY(tree.stop());
    }
};

QTEST_MAIN(HardenShutdownTest)
#include "harden_shutdown.moc"

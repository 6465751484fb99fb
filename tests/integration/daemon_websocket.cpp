// WS /ws/containers/{container}/services/{service}/logs end to end, with a real QWebSocket
// client: the first frame (the last lines), live lines, s6-log rotation, error frames, a
// reader that stops reading, and the token rules (header or ?token=).
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QWebSocket>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// A service that copies what the test writes into its FIFO to its logger, so the test decides
// when a line is written. The FIFO is opened read-write so that neither side blocks.
QString fifoService(const QString &fifo, const QString &greeting) {
    return QStringLiteral("#!/bin/sh\nexec 2>&1\n%1\nexec 3<>%2\nexec cat <&3\n")
        .arg(greeting, fifo);
}

// Whether process `pid` holds its end of the loopback TCP connection from `clientPort` to its
// `serverPort`: a socket among its fds, not one the kernel keeps on after a close.
bool holdsConnection(qint64 pid, quint16 serverPort, quint16 clientPort) {
    QFile table(QStringLiteral("/proc/net/tcp"));
    if (!table.open(QIODevice::ReadOnly))
        return false;
    const auto port = [](const QByteArray &address) { // "0100007F:1F90"
        return address.mid(address.indexOf(':') + 1).toUShort(nullptr, 16);
    };
    QByteArray inode;
    for (const QByteArray &line : table.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 9 && port(fields[1]) == serverPort && port(fields[2]) == clientPort)
            inode = fields[9];
    }
    if (inode.isEmpty() || inode == "0")
        return false;
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    const QString target = QStringLiteral("socket:[%1]").arg(QString::fromLatin1(inode));
    for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files))
        if (QFile::symLinkTarget(fds.filePath(fd)).endsWith(target))
            return true;
    return false;
}

// One WebSocket client and the frames it got.
struct WsClient {
    QWebSocket socket;
    QList<QJsonObject> frames;
    QString logs; // the data of every "logs" frame, in order
    bool closed = false;

    explicit WsClient(const QUrl &url, const QByteArray &authorization = {}) {
        QObject::connect(
            &socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &text) {
                const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
                if (frame.value("type") == QJsonValue("logs"))
                    logs += frame.value("data").toString();
                // The frames of a bulk transfer are counted, not all kept.
                if (frames.size() < 100)
                    frames.append(frame);
            });
        QObject::connect(&socket, &QWebSocket::disconnected, &socket, [this] { closed = true; });
        QNetworkRequest request(url);
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        socket.open(request);
    }
    const QString &text() const { return logs; }
};

} // namespace

class DaemonWebSocketTest final : public QObject {
    Q_OBJECT

    S6Tree m_tree;
    AgentProcess m_agent;
    QTemporaryDir m_tmp;
    DaemonProcess m_daemon;
    DaemonProcess m_guarded; // with api.tokens

    QString fifo(const QString &name) const { return m_tmp.filePath(name + ".fifo"); }
    // Writes into the service's FIFO without ever blocking: the loop keeps turning (the
    // clients keep reading) while the service drains the pipe, and a service that stopped
    // reading fails the test instead of hanging it.
    void write(const QString &name, const QByteArray &bytes) {
        const int fd =
            ::open(QFile::encodeName(fifo(name)).constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY2(fd >= 0, "the service does not hold its FIFO open");
        const auto closeFd = qScopeGuard([fd] { ::close(fd); });
        QSocketNotifier writable(fd, QSocketNotifier::Write);
        QSignalSpy ready(&writable, &QSocketNotifier::activated);
        qsizetype done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
            if (n > 0)
                done += n;
            else
                QVERIFY2(errno == EAGAIN && ready.wait(20000),
                         "the service stopped reading its FIFO");
        }
    }
    QUrl wsUrl(const DaemonProcess &daemon, const QString &path) const {
        QUrl url(daemon.baseUrl() + path);
        url.setScheme("ws");
        return url;
    }
    QByteArray config(const QByteArray &extra = {}) const {
        return "containers:\n"
               "  ai_worker:\n"
               "    socket_path: " +
               m_agent.socketPath().toUtf8() +
               "\n"
               "docker:\n"
               "  socket_path: " +
               m_tmp.filePath("no-docker.sock").toUtf8() + "\n" + extra;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        for (const char *name : {"talker", "bulk"})
            QCOMPARE(::mkfifo(QFile::encodeName(fifo(name)).constData(), 0600), 0);
        S6Tree::ServiceOptions rotating;
        rotating.logger = true;
        rotating.loggerArgs = "n50 s4096"; // rotates every 4 KiB
        QVERIFY(m_tree.addService(
            "talker", fifoService(fifo("talker"), "echo start-1; echo start-2; echo start-3"),
            rotating));
        S6Tree::ServiceOptions big;
        big.logger = true;
        big.loggerArgs = "n2 s99999999";
        QVERIFY(m_tree.addService("bulk", fifoService(fifo("bulk"), "echo ready"), big));
        QVERIFY(m_tree.addService("quiet", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY2(m_agent.start(agentOptions(m_tree)), qPrintable(m_agent.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(QFile(m_tree.logFile("talker")).size() >= 24, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(QFile(m_tree.logFile("bulk")).size() > 0, 10000);
        QVERIFY2(m_daemon.startWithConfig(config()), m_daemon.allStderr().constData());
        QVERIFY2(m_guarded.startWithConfig(
                     config("api:\n  tokens:\n    - {name: wall, token: s3cret, role: viewer}\n")),
                 m_guarded.allStderr().constData());
    }

    void cleanupTestCase() {
        QCOMPARE(m_daemon.stop(), 0);
        const QByteArray log = m_guarded.allStderr();
        QCOMPARE(m_guarded.stop(), 0);
        QVERIFY2(!log.contains("s3cret"), log.constData()); // a ?token= is never logged
        QVERIFY(m_agent.stop());
        QVERIFY(m_tree.stop());
    }

    void firstFrameLiveLinesAndRotation() {
        WsClient ws(wsUrl(m_daemon, "/ws/containers/ai_worker/services/talker/logs"));
        QTRY_VERIFY_WITH_TIMEOUT(!ws.frames.isEmpty(), 10000);
        QCOMPARE(ws.frames.first().keys(), QStringList({"data", "type"}));
        QCOMPARE(ws.frames.first().value("type").toString(), QString("logs"));
        QCOMPARE(ws.frames.first().value("data").toString(),
                 QString("start-1\nstart-2\nstart-3\n"));

        write("talker", "live-1\n");
        QTRY_COMPARE_WITH_TIMEOUT(ws.text(), QString("start-1\nstart-2\nstart-3\nlive-1\n"), 10000);

        // About 30 KiB in pieces: s6-log rotates `current` several times meanwhile; every line
        // arrives once, in order.
        QString expected = ws.text();
        for (int burst = 0; burst < 10; ++burst) {
            QByteArray piece;
            for (int i = 0; i < 50; ++i) {
                const QByteArray line =
                    "line-" + QByteArray::number(burst * 50 + i) + " the quick brown fox jumps\n";
                piece += line;
                expected += QString::fromUtf8(line);
            }
            write("talker", piece);
            QTRY_COMPARE_WITH_TIMEOUT(ws.text().size(), expected.size(), 10000);
        }
        QCOMPARE(ws.text(), expected);
        QVERIFY(QDir(m_tree.logDir() + "/talker").entryList({"@*"}, QDir::Files).size() >= 3);
        QVERIFY(!ws.closed);
    }

    void clearedLogFollowsFromTheNewStart() {
        WsClient ws(wsUrl(m_daemon, "/ws/containers/ai_worker/services/talker/logs"));
        QTRY_VERIFY_WITH_TIMEOUT(ws.socket.state() == QAbstractSocket::ConnectedState, 10000);
        write("talker", "before-clear\n");
        QTRY_VERIFY_WITH_TIMEOUT(ws.text().endsWith("before-clear\n"), 10000);
        DaemonClient http(m_daemon.baseUrl());
        QCOMPARE(http.call("DELETE", "/containers/ai_worker/services/talker/logs").status, 200);
        QCOMPARE(QFile(m_tree.logFile("talker")).size(), 0);
        const qsizetype before = ws.text().size();
        write("talker", "after-clear\n");
        QTRY_VERIFY_WITH_TIMEOUT(ws.text().size() > before, 10000);
        QCOMPARE(ws.text().mid(before), QString("after-clear\n"));
    }

    void errorFrames_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown container") << "/ws/containers/nope/services/talker/logs"
                                           << "Container 'nope' not found";
        QTest::newRow("unknown service") << "/ws/containers/ai_worker/services/nope/logs"
                                         << "nope";
        QTest::newRow("no log file") << "/ws/containers/ai_worker/services/quiet/logs"
                                     << "no log file";
        QTest::newRow("bad name") << "/ws/containers/ai_worker/services/..x/logs"
                                  << "pattern";
        QTest::newRow("no such route") << "/ws/nothing"
                                       << "No WebSocket route";
    }
    void errorFrames() {
        QFETCH(QString, path);
        QFETCH(QString, message);
        WsClient ws(wsUrl(m_daemon, path));
        QTRY_VERIFY_WITH_TIMEOUT(ws.closed, 10000);
        QCOMPARE(ws.frames.size(), 1);
        QCOMPARE(ws.frames.first().value("type").toString(), QString("error"));
        QVERIFY2(ws.frames.first().value("data").toString().contains(message),
                 qPrintable(ws.frames.first().value("data").toString()));
    }

    // Every upgrade is a request answered 101: counted under the route's template, or
    // `unmatched` for a path that is no WebSocket route.
    void upgradesAreCounted() {
        DaemonClient http(m_daemon.baseUrl());
        const auto upgrades = [&](const QByteArray &route) {
            const QByteArray sample =
                "system_manager_http_requests_total{code=\"101\",method=\"GET\",route=\"" + route +
                "\"} ";
            const QByteArray text = http.call("GET", "/metrics").body;
            const qsizetype at = text.indexOf(sample);
            return at < 0
                       ? 0.0
                       : text.mid(at + sample.size(), text.indexOf('\n', at) - at - sample.size())
                             .toDouble();
        };
        const QByteArray route = "/ws/containers/{container}/services/{service}/logs";
        const double routed = upgrades(route);
        const double unmatched = upgrades("unmatched");
        {
            WsClient logs(wsUrl(m_daemon, "/ws/containers/ai_worker/services/talker/logs"));
            QTRY_VERIFY_WITH_TIMEOUT(!logs.frames.isEmpty(), 10000);
            WsClient nowhere(wsUrl(m_daemon, "/ws/nothing"));
            QTRY_VERIFY_WITH_TIMEOUT(nowhere.closed, 10000);
            logs.socket.close();
            QTRY_VERIFY_WITH_TIMEOUT(logs.closed, 10000);
        }
        QCOMPARE(upgrades(route), routed + 1);
        QCOMPARE(upgrades("unmatched"), unmatched + 1);
    }

    // A client that stops reading is dropped at its bound; another client of the same log
    // keeps getting every line.
    void stalledReaderIsDropped() {
        WsClient reader(wsUrl(m_daemon, "/ws/containers/ai_worker/services/bulk/logs"));
        QTRY_VERIFY_WITH_TIMEOUT(!reader.frames.isEmpty(), 10000);

        // A WebSocket handshake by hand, then no read at all, on a socket whose receive
        // buffer is the smallest the kernel allows.
        const QUrl base(m_daemon.baseUrl());
        const quint16 daemonPort = quint16(base.port());
        const int stalled = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        QVERIFY(stalled >= 0);
        const auto closeStalled = qScopeGuard([stalled] { ::close(stalled); });
        const int smallest = 1;
        QCOMPARE(::setsockopt(stalled, SOL_SOCKET, SO_RCVBUF, &smallest, sizeof smallest), 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(daemonPort);
        QCOMPARE(::inet_pton(AF_INET, qPrintable(base.host()), &address.sin_addr), 1);
        // On loopback the kernel completes the handshake itself: this does not wait on the
        // daemon.
        QCOMPARE(::connect(stalled, reinterpret_cast<const sockaddr *>(&address), sizeof address),
                 0);
        socklen_t length = sizeof address;
        QCOMPARE(::getsockname(stalled, reinterpret_cast<sockaddr *>(&address), &length), 0);
        const quint16 stalledPort = ntohs(address.sin_port);
        const QByteArray handshake =
            "GET /ws/containers/ai_worker/services/bulk/logs HTTP/1.1\r\nHost: x\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n";
        QCOMPARE(::send(stalled, handshake.constData(), size_t(handshake.size()), MSG_NOSIGNAL),
                 ssize_t(handshake.size()));
        const qint64 pid = m_daemon.process()->processId();
        QTRY_VERIFY_WITH_TIMEOUT(holdsConnection(pid, daemonPort, stalledPort), 10000);

        const QByteArray line = QByteArray(1000, 'x') + '\n';
        QByteArray chunk;
        for (int i = 0; i < 1024; ++i)
            chunk += line; // 1 MiB
        // The daemon's kernel send buffer grows up to tcp_wmem's maximum however little the
        // client takes, and only what is left over counts against the 1 MiB bound: enough
        // chunks to fill both, and two more.
        QFile wmem(QStringLiteral("/proc/sys/net/ipv4/tcp_wmem"));
        QVERIFY(wmem.open(QIODevice::ReadOnly));
        const qint64 kernelBuffer = wmem.readAll().simplified().split(' ').value(2).toLongLong();
        const qint64 chunks = (kernelBuffer + (1 << 20)) / chunk.size() + 2;
        int written = 0;
        while (holdsConnection(pid, daemonPort, stalledPort) && written < chunks) {
            write("bulk", chunk);
            ++written;
            QTRY_VERIFY_WITH_TIMEOUT(reader.text().size() >= qsizetype(written) * chunk.size(),
                                     20000);
        }
        QTRY_VERIFY2_WITH_TIMEOUT(!holdsConnection(pid, daemonPort, stalledPort),
                                  qPrintable(QString("still connected after %1 MiB").arg(written)),
                                  10000);
        QVERIFY(!reader.closed);
        write("bulk", "still-here\n");
        QTRY_VERIFY_WITH_TIMEOUT(reader.text().endsWith("still-here\n"), 10000);
    }

    void tokens() {
        const QString path = "/ws/containers/ai_worker/services/talker/logs";
        WsClient none(wsUrl(m_guarded, path));
        QTRY_VERIFY_WITH_TIMEOUT(none.closed, 10000);
        QCOMPARE(none.frames.size(), 1);
        QCOMPARE(none.frames.first().value("type").toString(), QString("error"));

        WsClient wrong(wsUrl(m_guarded, path + "?token=nope"));
        QTRY_VERIFY_WITH_TIMEOUT(wrong.closed, 10000);
        QCOMPARE(wrong.frames.first().value("type").toString(), QString("error"));

        WsClient header(wsUrl(m_guarded, path), "Bearer s3cret");
        QTRY_VERIFY_WITH_TIMEOUT(!header.frames.isEmpty(), 10000);
        QCOMPARE(header.frames.first().value("type").toString(), QString("logs"));

        WsClient query(wsUrl(m_guarded, path + "?token=s3cret"));
        QTRY_VERIFY_WITH_TIMEOUT(!query.frames.isEmpty(), 10000);
        QCOMPARE(query.frames.first().value("type").toString(), QString("logs"));
        QVERIFY(!query.closed);
    }
};

QTEST_GUILESS_MAIN(DaemonWebSocketTest)
#include "daemon_websocket.moc"

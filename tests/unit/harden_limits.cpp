// Request bounds at their edges over raw TCP: header bytes (431), declared and chunked body
// bytes (413), connections (503), malformed requests (400). Each limit is accepted exactly at
// its value and refused one past it, with the JSON envelope and CORS headers.
#include "FakeBackend.h"
#include "RestServer.h"
#include "metrics/Metrics.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace sm;

namespace {

constexpr qint64 kHeaderLimit = 2048;
constexpr qint64 kBodyLimit = 4096;
constexpr int kConnectionLimit = 4;

struct Raw {
    int status = 0;
    QByteArray text;
    QJsonObject json() const {
        return QJsonDocument::fromJson(text.mid(text.indexOf("\r\n\r\n") + 4)).object();
    }
};

} // namespace

class HardenLimitsTest final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<RestServer> m_server;
    quint16 m_port = 0;

    std::unique_ptr<QTcpSocket> connectClient() {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, m_port);
        QSignalSpy connected(socket.get(), &QTcpSocket::connected);
        if (socket->state() != QAbstractSocket::ConnectedState)
            connected.wait(5000);
        return socket;
    }
    // Sends `request` and reads one whole answer (Content-Length framed).
    Raw exchange(QTcpSocket *socket, const QByteArray &request) {
        socket->write(request);
        Raw raw;
        QByteArray &in = raw.text;
        for (int i = 0; i < 200; ++i) {
            const qsizetype end = in.indexOf("\r\n\r\n");
            if (end >= 0) {
                const qsizetype at = in.toLower().indexOf("content-length: ");
                if (at >= 0) {
                    const qsizetype eol = in.indexOf("\r\n", at);
                    const int length = in.mid(at + 16, eol - at - 16).toInt();
                    if (in.size() >= end + 4 + length)
                        break;
                }
            }
            if (socket->bytesAvailable() == 0) {
                QSignalSpy more(socket, &QTcpSocket::readyRead);
                if (!more.wait(5000))
                    break;
            }
            in += socket->readAll();
        }
        raw.status = in.mid(9, 3).toInt();
        return raw;
    }
    Raw send(const QByteArray &request) {
        auto socket = connectClient();
        return exchange(socket.get(), request);
    }
    // The listener's refusals with `code` so far, as /metrics counts them.
    double refusals(int code) const {
        const QByteArray prefix =
            "system_manager_http_refusals_total{code=\"" + QByteArray::number(code) + "\"} ";
        for (const QByteArray &line : m_server->metrics()->scrape().split('\n'))
            if (line.startsWith(prefix))
                return line.mid(prefix.size()).toDouble();
        return 0;
    }
    static QByteArray post(const QByteArray &body) {
        return "POST /containers/ai_worker/services/svc HTTP/1.1\r\nHost: h\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }

private Q_SLOTS:
    void init() {
        m_server.reset();
        m_backend = std::make_unique<FakeBackend>();
        RestSettings settings;
        settings.containers = {"ai_worker"};
        settings.accessLog = false;
        settings.maxHeaderBytes = kHeaderLimit;
        settings.maxBodyBytes = kBodyLimit;
        settings.maxConnections = kConnectionLimit;
        m_server = std::make_unique<RestServer>(m_backend.get(), settings);
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }

    void headerEdge() {
        // Counted: the target plus every header name and value.
        const QByteArray target = "/containers";
        const qint64 fixed = target.size() + 4 + 1 + 6 + 1; // Host: h, Origin: o
        QByteArray pad(kHeaderLimit - fixed - 5, 'x');      // X-Pad
        auto request = [&](const QByteArray &value) {
            return "GET " + target + " HTTP/1.1\r\nHost: h\r\nOrigin: o\r\nX-Pad: " + value +
                   "\r\n\r\n";
        };
        QCOMPARE(send(request(pad)).status, 200);
        const Raw refused = send(request(pad + 'x'));
        QCOMPARE(refused.status, 431);
        QVERIFY(refused.text.contains("\r\nConnection: close\r\n"));
        QVERIFY(refused.text.contains("\r\nAccess-Control-Allow-Origin: o\r\n"));
        QCOMPARE(refused.json().keys(), QStringList({"detail", "error"}));
        // A megabyte of header is refused at the bound, not buffered.
        QCOMPARE(send(request(QByteArray(1 << 20, 'y'))).status, 431);
        QCOMPARE(refusals(431), 2.0);
        QCOMPARE(refusals(413), 0.0);
    }

    void bodyEdge() {
        QByteArray body = "{\"action\":\"restart\",\"pad\":\"";
        body += QByteArray(kBodyLimit - body.size() - 2, 'x') + "\"}";
        QCOMPARE(send(post(body)).status, 200);
        body.insert(body.size() - 2, 'x');
        const Raw refused = send(post(body));
        QCOMPARE(refused.status, 413);
        QVERIFY(refused.json().value("error").toString().contains("4096 bytes"));
        QCOMPARE(m_backend->calls, QStringList{"control ai_worker svc restart"});
        QCOMPARE(refusals(413), 1.0);
    }

    void declaredLengthRefusedBeforeTheBody() {
        // Only the headers are sent: the declared length alone earns the 413.
        const Raw refused = send("POST /containers/ai_worker/services/svc HTTP/1.1\r\nHost: "
                                 "h\r\nContent-Length: 104857600\r\n\r\n");
        QCOMPARE(refused.status, 413);
    }

    void chunkedEdge() {
        auto chunked = [](qint64 size) {
            QByteArray body = "{\"action\":\"restart\",\"pad\":\"";
            body += QByteArray(size - body.size() - 2, 'x') + "\"}";
            QByteArray request = "POST /containers/ai_worker/services/svc HTTP/1.1\r\nHost: "
                                 "h\r\nTransfer-Encoding: chunked\r\n\r\n";
            for (qsizetype at = 0; at < body.size(); at += 1000) {
                const QByteArray part = body.mid(at, 1000);
                request += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
            }
            return request + "0\r\n\r\n";
        };
        QCOMPARE(send(chunked(kBodyLimit)).status, 200);
        QCOMPARE(send(chunked(kBodyLimit + 1)).status, 413);
        QCOMPARE(refusals(413), 1.0);
    }

    void keepAliveCountsPerRequest() {
        // Bounds are per request: many bodies near the limit on one connection are fine.
        QByteArray body = "{\"action\":\"down\",\"pad\":\"";
        body += QByteArray(kBodyLimit - body.size() - 2, 'x') + "\"}";
        auto socket = connectClient();
        for (int i = 0; i < 5; ++i) {
            const Raw answer = exchange(socket.get(), post(body));
            QVERIFY2(answer.status == 200, answer.text.constData());
        }
    }

    void malformed() {
        const Raw refused = send("NOT HTTP AT ALL\r\n\r\n");
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.json().keys(), QStringList({"detail", "error"}));
        QCOMPARE(refusals(400), 1.0);
    }

    void connectionEdge() {
        std::vector<std::unique_ptr<QTcpSocket>> open;
        for (int i = 0; i < kConnectionLimit; ++i) {
            open.push_back(connectClient());
            QCOMPARE(
                exchange(open.back().get(), "GET /containers HTTP/1.1\r\nHost: h\r\n\r\n").status,
                200);
        }
        const Raw refused = send("GET /containers HTTP/1.1\r\nHost: h\r\n\r\n");
        QCOMPARE(refused.status, 503);
        QVERIFY(refused.json().value("error").toString().contains("at most 4"));
        QCOMPARE(refusals(503), 1.0);
        // One leaves: a new client gets in once the server has seen it go.
        QSignalSpy gone(open.back().get(), &QTcpSocket::disconnected);
        open.back()->disconnectFromHost();
        open.pop_back();
        QTRY_COMPARE_WITH_TIMEOUT(send("GET /containers HTTP/1.1\r\nHost: h\r\n\r\n").status, 200,
                                  5000);
    }
};

QTEST_MAIN(HardenLimitsTest)
#include "harden_limits.moc"

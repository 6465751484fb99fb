// The agent connection pool's bounds at their edges, against a peer that accepts and never
// answers: at most maxConnections sockets per agent, at most HttpPool::maxQueued requests
// waiting behind them (the next one fails at once as Busy), and streams capped apart.
#include "http/HttpClient.h"
#include "http/HttpPool.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sm;

class HardenPoolTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void connectionsAndQueueBounded() {
        QTemporaryDir dir;
        QLocalServer peer;
        QVERIFY(peer.listen(dir.filePath("hung.sock")));
        int accepted = 0;
        connect(&peer, &QLocalServer::newConnection, this, [&] {
            while (peer.nextPendingConnection())
                ++accepted; // kept open by the server, never answered
        });

        constexpr int kConnections = 3;
        HttpClient client(dir.filePath("hung.sock"), kConnections);
        QObject context;
        int refused = 0;
        int other = 0;
        QString refusal;
        const qsizetype total = kConnections + HttpPool::maxQueued;
        HttpRequest request;
        request.timeoutMs = 60000;
        for (qsizetype i = 0; i < total; ++i)
            client.send(request, &context, [&](const HttpResult &) { ++other; });
        QTRY_COMPARE_WITH_TIMEOUT(accepted, kConnections, 5000);
        QCOMPARE(client.openConnections(), kConnections);
        QCOMPARE(other, 0); // the limit itself: all accepted, all still waiting

        // One past the limit fails at once, as Busy, naming the cause.
        client.send(request, &context, [&](const HttpResult &r) {
            if (!r.ok() && r.error.kind == HttpError::Busy) {
                ++refused;
                refusal = r.error.message;
            }
        });
        QTRY_COMPARE_WITH_TIMEOUT(refused, 1, 2000);
        QVERIFY2(refusal.contains("queued"), qPrintable(refusal));
        QCOMPARE(accepted, kConnections); // no extra socket was opened for it
        QCOMPARE(other, 0);
    }
};

QTEST_MAIN(HardenPoolTest)
#include "harden_pool.moc"

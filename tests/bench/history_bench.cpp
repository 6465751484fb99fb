// What keeping history costs a reader: 1,000 GET /containers/robot/services/status (21 real
// s6 services, the real agent, the daemon's own stack and REST server in this process) while
// 10,000 history events are recorded (ten after each answer), against the same reads with no
// history store, in one run. Rounds alternate; medians of their p50 and p99 are printed. The
// reader runs on its own thread with a blocking socket, so it measures the daemon's event
// loop, which is where a stalled write would show.
//
//   BUILD_TARGETS="bench_history s6-agent" scripts/build && build/bin/bench_history
//
// Exits 1 when the history run's p99 exceeds the baseline's by more than 50% (plus 0.5 ms of
// scheduling noise), or when the 10,000 events are not all stored; 2 when the setup fails.
#include "AgentProcess.h"
#include "RestServer.h"
#include "S6Tree.h"
#include "backend/LocalBackend.h"
#include "config/SystemConfig.h"
#include "history/HistoryStore.h"
#include "stack/LocalStack.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace sm;

namespace {

constexpr int kReads = 1000;
constexpr int kEventsPerRead = 10;
constexpr int kRounds = 5;

// One keep-alive connection, request after request; latencies in microseconds.
class Reader final : public QThread {
public:
    Reader(quint16 port, std::function<void()> afterEach)
        : m_port(port)
        , m_afterEach(std::move(afterEach)) {}
    std::vector<double> latencies;
    bool ok = true;

protected:
    void run() override {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(m_port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ok = false;
            ::close(fd);
            return;
        }
        const QByteArray request = "GET /containers/robot/services/status HTTP/1.1\r\n"
                                   "Host: bench\r\n\r\n";
        QByteArray buffer;
        char chunk[65536];
        for (int i = 0; i < kReads && ok; ++i) {
            QElapsedTimer clock;
            clock.start();
            ok = ::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL) ==
                 request.size();
            // Read one whole answer: headers, then Content-Length bytes.
            qsizetype needed = -1;
            while (ok) {
                const qsizetype end = buffer.indexOf("\r\n\r\n");
                if (end >= 0 && needed < 0) {
                    const qsizetype at = buffer.toLower().indexOf("content-length:");
                    needed = end + 4 +
                             buffer.mid(at + 15, end - at - 15)
                                 .split('\r')
                                 .first()
                                 .trimmed()
                                 .toLongLong();
                }
                if (needed >= 0 && buffer.size() >= needed) {
                    ok = buffer.startsWith("HTTP/1.1 200");
                    buffer.remove(0, needed);
                    break;
                }
                const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
                if (n <= 0)
                    ok = false;
                else
                    buffer.append(chunk, n);
            }
            latencies.push_back(double(clock.nsecsElapsed()) / 1000.0);
            if (m_afterEach)
                m_afterEach();
        }
        ::close(fd);
    }

private:
    quint16 m_port;
    std::function<void()> m_afterEach;
};

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

double median(std::vector<double> v) {
    return percentile(std::move(v), 0.5);
}

struct Round {
    double p50 = 0;
    double p99 = 0;
    qint64 stored = -1; // events found in the store afterwards (history runs)
};

std::optional<Round> runRound(const QString &socket, const QString &stateDir) {
    const QByteArray yaml =
        "containers:\n  robot:\n    socket_path: \"" + socket.toUtf8() + "\"\n" +
        (stateDir.isEmpty() ? QByteArray() : "state:\n  dir: \"" + stateDir.toUtf8() + "\"\n");
    ConfigLoad load = loadConfigText(yaml, QStringLiteral("bench.yml"));
    if (!load.ok())
        return std::nullopt;
    LocalStack stack(*load.config);
    RestSettings settings;
    settings.containers = {QStringLiteral("robot")};
    settings.accessLog = false;
    RestServer server(stack.backend(), settings);
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);
    if (port == 0)
        return std::nullopt;
    stack.start();

    HistoryStore *history = stack.history();
    std::atomic<int> answered{0};
    int recorded = 0;
    QObject recorder;
    Reader reader(port, [&] {
        if (!history)
            return;
        ++answered;
        QMetaObject::invokeMethod(
            &recorder,
            [&] {
                for (int i = 0; i < kEventsPerRead; ++i) {
                    HistoryEvent e;
                    e.source = QStringLiteral("service");
                    e.container = QStringLiteral("robot");
                    e.service = QStringLiteral("svc%1").arg(recorded % 21);
                    e.kind = recorded % 2 ? QStringLiteral("up") : QStringLiteral("died");
                    e.detail = QStringLiteral("bench");
                    history->record(std::move(e));
                    ++recorded;
                }
            },
            Qt::QueuedConnection);
    });
    // A real event loop: QTest::qWaitFor naps 10 ms between its rounds, which would be
    // measured as the daemon's latency.
    QEventLoop loop;
    QObject::connect(&reader, &QThread::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    reader.start();
    loop.exec();
    if (!reader.isFinished() || !reader.ok)
        return std::nullopt;
    Round round;
    round.p50 = percentile(reader.latencies, 0.5) / 1000.0;
    round.p99 = percentile(reader.latencies, 0.99) / 1000.0;
    if (history) {
        if (!QTest::qWaitFor([&] { return recorded == kReads * kEventsPerRead; }, 10000))
            return std::nullopt;
        std::optional<qint64> count;
        HistoryQuery all;
        all.service = QStringLiteral("svc0");
        all.limit = 100000;
        QObject context;
        history->events(&context, all, [&](Result<QList<HistoryEvent>> r) {
            count = r.ok() ? r.value().size() : -1;
        });
        if (!QTest::qWaitFor([&] { return count.has_value(); }, 30000))
            return std::nullopt;
        // svc0 is every 21st event.
        round.stored = count.value_or(-1);
    }
    return round;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    S6Tree tree;
    for (int i = 0; i < 21; ++i)
        tree.addService(QStringLiteral("svc%1").arg(i), "#!/bin/sh\nexec sleep 100000\n");
    if (!tree.start()) {
        std::fprintf(stderr, "bench_history: s6: %s\n", qPrintable(tree.errorString()));
        return 2;
    }
    AgentProcess agent;
    AgentProcess::Options options;
    options.scanDir = tree.scanDir();
    options.logDir = tree.logDir();
    if (!agent.start(options)) {
        std::fprintf(stderr, "bench_history: agent: %s\n", qPrintable(agent.errorString()));
        return 2;
    }
    std::vector<double> baseP50, baseP99, histP50, histP99;
    qint64 expectedSvc0 = 0;
    for (int i = 0; i < kReads * kEventsPerRead; ++i)
        expectedSvc0 += i % 21 == 0;
    bool allStored = true;
    for (int r = 0; r < kRounds; ++r) {
        const auto base = runRound(agent.socketPath(), {});
        QTemporaryDir state;
        const auto hist = runRound(agent.socketPath(), state.path());
        if (!base || !hist) {
            std::fprintf(stderr, "bench_history: a round failed\n");
            return 2;
        }
        baseP50.push_back(base->p50);
        baseP99.push_back(base->p99);
        histP50.push_back(hist->p50);
        histP99.push_back(hist->p99);
        allStored = allStored && hist->stored == expectedSvc0;
        std::printf("round %d: no history p50 %.3f ms p99 %.3f ms | history p50 %.3f ms p99 %.3f "
                    "ms, svc0 events stored %lld of %lld\n",
                    r + 1, base->p50, base->p99, hist->p50, hist->p99,
                    static_cast<long long>(hist->stored), static_cast<long long>(expectedSvc0));
    }
    const double b99 = median(baseP99), h99 = median(histP99);
    std::printf("status reads (%d, 21 services) while %d events are recorded, medians of %d "
                "rounds:\n  without history: p50 %.3f ms, p99 %.3f ms\n  with history:    p50 "
                "%.3f ms, p99 %.3f ms (p99 ratio %.2f)\n",
                kReads, kReads * kEventsPerRead, kRounds, median(baseP50), b99, median(histP50),
                h99, b99 > 0 ? h99 / b99 : 0.0);
    const bool met = h99 <= b99 * 1.5 + 0.5;
    std::printf("target: p99 with history <= 1.5 x without + 0.5 ms: %s; svc0's events (every "
                "21st) all stored in every round: %s\n",
                met ? "met" : "MISSED", allStored ? "yes" : "NO");
    agent.stop();
    tree.stop();
    return met && allStored ? 0 : 1;
}

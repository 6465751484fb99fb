// LocalBackend end to end: a real s6-svscan tree, the project's s6-agent on its Unix socket,
// and every container/service call of the Backend interface, as the REST API and GUI use it.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "agents/AgentClient.h"
#include "agents/AgentPool.h"
#include "backend/LocalBackend.h"
#include "model/ModelJson.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace sm;

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");
// The service's own pace, not the test's: one numbered line every 100 ms.
const QString kTicker = QStringLiteral(
    "#!/bin/sh\ni=0\nwhile true; do echo \"tick $i\"; i=$((i+1)); sleep 0.1; done\n");

// The failure's message, or nothing (QVERIFY2 evaluates its message even on success).
template <typename T> QString why(const Result<T> &r) {
    return r.ok() ? QString() : r.error().message;
}

} // namespace

class CoreBackendTest final : public QObject {
    Q_OBJECT
private:
    // Calls a Backend method and waits for its one answer, woken by a signal (not by polling,
    // so that the latency measured below is the exchange's own).
    template <typename T, typename Call> Result<T> ask(Call call) {
        std::optional<Result<T>> result;
        bool synchronous = true;
        QObject notifier;
        QSignalSpy arrived(&notifier, &QObject::objectNameChanged);
        call([&](Result<T> r) {
            QVERIFY2(!synchronous, "answered inside the call");
            result.emplace(std::move(r));
            notifier.setObjectName(QStringLiteral("answered"));
        });
        synchronous = false;
        if (!result && !arrived.wait(10000))
            return ApiError{0, QStringLiteral("no answer"), {}};
        return *result;
    }

    std::unique_ptr<S6Tree> m_tree;
    std::unique_ptr<AgentProcess> m_agent;
    std::unique_ptr<LocalBackend> m_backend;

private slots:
    void initTestCase() {
        m_tree = std::make_unique<S6Tree>();
        QVERIFY(m_tree->isValid());
        S6ServiceOptions logged;
        logged.logger = true;
        S6ServiceOptions down;
        down.downFile = true;
        QVERIFY(m_tree->addService("web", kSleep));
        QVERIFY(m_tree->addService("ticker", kTicker, logged));
        QVERIFY(m_tree->addService("crash", "#!/bin/sh\nexit 3\n"));
        QVERIFY(m_tree->addService("idle", kSleep, down));
        QVERIFY2(m_tree->start(), qPrintable(m_tree->errorString()));
        QVERIFY(m_tree->waitUntilUp("web"));
        QVERIFY(m_tree->waitUntilUp("ticker"));
        m_agent = std::make_unique<AgentProcess>();
        QVERIFY2(m_agent->start(m_tree->scanDir(), m_tree->logDir(), m_tree->scanDir()),
                 qPrintable(m_agent->errorString()));

        SystemConfig config;
        ContainerConfig worker;
        worker.name = QStringLiteral("ai_worker");
        worker.socketPath = m_agent->socketPath();
        worker.services = {{"web", "Web Server"}};
        ContainerConfig offline;
        offline.name = QStringLiteral("offline");
        offline.socketPath = m_tree->root() + QStringLiteral("/nobody/s6_agent.sock");
        config.containers = {worker, offline};
        config.api.listenHost = QStringLiteral("127.0.0.1");
        m_backend = std::make_unique<LocalBackend>(config);
    }

    void cleanupTestCase() {
        m_backend.reset();
        if (m_agent)
            QVERIFY(m_agent->stop());
        if (m_tree)
            QVERIFY(m_tree->stop());
    }

    void servicesInAgentOrderWithLabels() {
        const auto r = ask<QList<ServiceInfo>>(
            [&](auto done) { m_backend->services(this, "ai_worker", done); });
        QVERIFY2(r.ok(), qPrintable(why(r)));
        QCOMPARE(toJsonArray(r.value()),
                 QByteArray(
                     "[{\"id\":\"crash\",\"label\":\"crash\"},{\"id\":\"idle\",\"label\":\"idle\"},"
                     "{\"id\":\"ticker\",\"label\":\"ticker\"},{\"id\":\"web\",\"label\":\"Web "
                     "Server\"}]"));
    }

    void statusMatchesSvstat() {
        const auto r = ask<ServiceStatus>(
            [&](auto done) { m_backend->status(this, "ai_worker", "web", done); });
        QVERIFY2(r.ok(), qPrintable(why(r)));
        const ServiceStatus &s = r.value();
        QCOMPARE(s.container, QStringLiteral("ai_worker"));
        QCOMPARE(s.service, QStringLiteral("web"));
        QCOMPARE(s.serviceLabel, QStringLiteral("Web Server"));
        QVERIFY(s.isUp);
        const QString svstat = m_tree->svstat("web");
        QVERIFY2(svstat.startsWith(QStringLiteral("up (pid %1) ").arg(*s.pid)), qPrintable(svstat));
        QVERIFY(s.raw.startsWith(QStringLiteral("up (pid %1) ").arg(*s.pid)));
        QVERIFY(s.uptimeSeconds.has_value());
        QCOMPARE(s.wantUp, std::optional<bool>(true));
    }

    void statusJsonSaysWhichMomentItShows() {
        // The agent stamps its status answers with the moment before it read anything, on the
        // host's monotonic clock: within the call's own span, on this process's clock.
        for (bool all : {true, false}) {
            const qint64 before = steadyClockNs();
            const auto r = ask<StatusJson>([&](auto done) {
                if (all)
                    m_backend->statusesJson(this, "ai_worker", done);
                else
                    m_backend->statusJson(this, "ai_worker", "web", done);
            });
            const qint64 after = steadyClockNs();
            QVERIFY2(r.ok(), qPrintable(why(r)));
            QVERIFY2(r.value().asOfNs >= before && r.value().asOfNs <= after,
                     qPrintable(QStringLiteral("%1 not in [%2, %3]")
                                    .arg(r.value().asOfNs)
                                    .arg(before)
                                    .arg(after)));
            QVERIFY(r.value().json.contains("\"service\":\"web\""));
        }
    }

    void statusesShowTheCrashLoop() {
        QElapsedTimer clock;
        clock.start();
        // The crash service needs a few seconds to have died three times (s6 waits a second
        // between two starts).
        while (clock.elapsed() < 10000) {
            const auto r = ask<QList<ServiceStatus>>(
                [&](auto done) { m_backend->statuses(this, "ai_worker", done); });
            QVERIFY2(r.ok(), qPrintable(why(r)));
            QCOMPARE(r.value().size(), 4);
            const ServiceStatus &crash = r.value().at(0);
            QCOMPARE(crash.service, QStringLiteral("crash"));
            QCOMPARE(r.value().at(3).serviceLabel, QStringLiteral("Web Server"));
            QVERIFY(!r.value().at(1).isUp); // idle has a down file
            if (crash.crashLooping()) {
                // Three deaths in the last minute while wanted up, each an exit with code 3.
                QVERIFY(crash.deathsLastMinute.value_or(0) >= kCrashLoopDeaths);
                QCOMPARE(crash.wantUp, std::optional<bool>(true));
                QVERIFY(crash.lastDeath);
                QCOMPARE(crash.lastDeath->exitCode, std::optional<int>(3));
                QVERIFY(!crash.failed());
                return;
            }
        }
        QFAIL("the crash loop never showed");
    }

    void unknownServiceKeepsAgentMessage() {
        const auto r = ask<ServiceStatus>(
            [&](auto done) { m_backend->status(this, "ai_worker", "nope", done); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().status, 404);
        QVERIFY2(r.error().message.contains(QLatin1String("nope")), qPrintable(why(r)));
        const auto bad = ask<ServiceStatus>(
            [&](auto done) { m_backend->status(this, "ai_worker", "..", done); });
        QCOMPARE(bad.error().status, 400);
    }

    void controlDownUpRestart() {
        auto r = ask<ControlResult>(
            [&](auto done) { m_backend->control(this, "ai_worker", "web", "down", done); });
        QVERIFY2(r.ok(), qPrintable(why(r)));
        QCOMPARE(toJson(r.value()), QByteArray("{\"container\":\"ai_worker\",\"service\":\"web\","
                                               "\"action\":\"down\",\"result\":\"ok\"}"));
        QTRY_VERIFY_WITH_TIMEOUT(!m_tree->isUp("web"), 5000);
        r = ask<ControlResult>(
            [&](auto done) { m_backend->control(this, "ai_worker", "web", "up", done); });
        QVERIFY(r.ok());
        QVERIFY(m_tree->waitUntilUp("web"));
        const QString before = m_tree->svstat("web");
        r = ask<ControlResult>(
            [&](auto done) { m_backend->control(this, "ai_worker", "web", "restart", done); });
        QVERIFY(r.ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_tree->isUp("web") && m_tree->svstat("web").section(')', 0, 0) !=
                                                            before.section(')', 0, 0),
                                 5000);
    }

    void logsByTailAndCursor() {
        QTRY_VERIFY_WITH_TIMEOUT(QFile(m_tree->logFile("ticker")).size() > 40, 10000);
        LogQuery q;
        q.tail = 3;
        const auto r = ask<LogChunk>(
            [&](auto done) { m_backend->logs(this, "ai_worker", "ticker", q, done); });
        QVERIFY2(r.ok(), qPrintable(why(r)));
        QCOMPARE(r.value().tail, std::optional<int>(3));
        QCOMPARE(r.value().logs.count(QLatin1Char('\n')), 3);
        QVERIFY(r.value().logs.startsWith(QLatin1String("tick ")));
        QCOMPARE(r.value().logPath, m_tree->logFile("ticker"));

        LogQuery c;
        c.cursor = 0;
        const auto all = ask<LogChunk>(
            [&](auto done) { m_backend->logs(this, "ai_worker", "ticker", c, done); });
        QVERIFY(all.ok());
        QVERIFY(all.value().cursor.value_or(0) > 0);
        QVERIFY(all.value().logs.startsWith(QLatin1String("tick 0\n")));
        c.cursor = all.value().cursor;
        QTRY_VERIFY_WITH_TIMEOUT(QFile(m_tree->logFile("ticker")).size() > *c.cursor, 5000);
        const auto next = ask<LogChunk>(
            [&](auto done) { m_backend->logs(this, "ai_worker", "ticker", c, done); });
        QVERIFY(next.ok());
        QVERIFY(next.value().cursor > c.cursor);
        QVERIFY(next.value().logs.startsWith(QLatin1String("tick ")));
    }

    void followDeliversNewLines() {
        std::unique_ptr<LogStream> stream(m_backend->followLogs("ai_worker", "ticker", 2));
        QSignalSpy lines(stream.get(), &LogStream::line);
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QTRY_VERIFY_WITH_TIMEOUT(lines.size() >= 5, 10000);
        QCOMPARE(finished.size(), 0);
        int previous = -1;
        for (const auto &args : lines) {
            const QString text = args.at(0).toString();
            QVERIFY2(text.startsWith(QLatin1String("tick ")), qPrintable(text));
            const int n = text.mid(5).toInt();
            QVERIFY(previous < 0 || n == previous + 1);
            previous = n;
        }
        AgentClient *agent = m_backend->agents()->agent("ai_worker");
        const int before = agent->http()->openConnections();
        stream.reset(); // closes the agent connection
        QCOMPARE(agent->http()->openConnections(), before - 1);
    }

    void runScriptReadAndWrite() {
        const auto r = ask<RunScript>(
            [&](auto done) { m_backend->runScript(this, "ai_worker", "idle", done); });
        QVERIFY2(r.ok(), qPrintable(why(r)));
        QCOMPARE(r.value().content, kSleep);
        QCOMPARE(r.value().path, m_tree->serviceDir("idle") + QStringLiteral("/run"));
        const QString script = QStringLiteral("#!/bin/sh\n# edited\nexec sleep 99999\n");
        const auto w = ask<RunScript>(
            [&](auto done) { m_backend->setRunScript(this, "ai_worker", "idle", script, done); });
        QVERIFY2(w.ok(), qPrintable(why(w)));
        QCOMPARE(w.value().content, script);
        QFile file(r.value().path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), script);
        QVERIFY(file.permissions() & QFileDevice::ExeOwner);
    }

    void manyConcurrentCallsShareTheBoundedPool() {
        int answered = 0;
        int ok = 0;
        for (int i = 0; i < 40; ++i) {
            m_backend->statuses(this, "ai_worker", [&](Result<QList<ServiceStatus>> r) {
                ++answered;
                ok += r.ok() ? 1 : 0;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(answered, 40, 10000);
        QCOMPARE(ok, 40);
        QVERIFY(m_backend->agents()->agent("ai_worker")->http()->openConnections() <= 8);
    }

    void sequentialLatency() {
        // Round trips through LocalBackend, AgentClient, HttpClient and the agent (keep-alive).
        constexpr int n = 200;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < n; ++i) {
            const auto r = ask<ServiceStatus>(
                [&](auto done) { m_backend->status(this, "ai_worker", "web", done); });
            QVERIFY(r.ok());
        }
        qInfo("%d sequential status calls: %.3f ms each", n,
              double(clock.nsecsElapsed()) / 1e6 / n);
    }

    void healthAndUnreachableAgent() {
        const auto h = ask<Health>([&](auto done) { m_backend->health(this, done); });
        QVERIFY(h.ok());
        QCOMPARE(toJson(h.value()), QByteArray("{\"status\":\"ok\",\"agents\":{\"ai_worker\":"
                                               "\"reachable\",\"offline\":\"unreachable\"},"
                                               "\"docker\":\"unavailable\"}"));
        const auto r = ask<QList<ServiceStatus>>(
            [&](auto done) { m_backend->statuses(this, "offline", done); });
        QCOMPARE(r.error().status, 503);
        QVERIFY(r.error().message.startsWith(
            QLatin1String("Agent for container 'offline' is unreachable: no socket at ")));
    }

    void agentGoneMidRun() {
        // Kept-alive connections to a stopped agent must turn into a clean 503, not a hang.
        QVERIFY(m_agent->stop());
        const auto r = ask<ServiceStatus>(
            [&](auto done) { m_backend->status(this, "ai_worker", "web", done); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().status, 503);
        QVERIFY2(r.error().message.startsWith(
                     QLatin1String("Agent for container 'ai_worker' is unreachable: ")),
                 qPrintable(why(r)));
    }
};

QTEST_GUILESS_MAIN(CoreBackendTest)
#include "core_backend.moc"

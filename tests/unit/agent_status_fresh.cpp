// Status answers taken from the readings kept for /events, in one process and one loop turn:
// s6-supervise's rename of a new status file lands, and the very next request, before the
// event loop has run again, must already show it. Only the drain of inotify at the start of
// the request can make it so; without it the kept reading would still be the old one. And an
// object written once for a reading is reused only while its clocked numbers stand still.
#include "Api.h"
#include "ChildRunner.h"
#include "EventHub.h"
#include "EventLoop.h"
#include "Inotify.h"
#include "S6Status.h"
#include "Services.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QByteArray fixture(const char *state) {
    QFile f(QStringLiteral(SM_TEST_FIXTURES "/s6-status/2.11.3.2/%1/status").arg(state));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// What s6-supervise does: a new file renamed over the old one.
bool replaceStatus(const QString &supervise, const QByteArray &bytes) {
    QFile f(supervise + "/status.new");
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return false;
    f.close();
    return std::rename(QFile::encodeName(supervise + "/status.new").constData(),
                       QFile::encodeName(supervise + "/status").constData()) == 0;
}

// A scan directory with one service, `svc`, whose supervisor looks alive to the agent
// (someone reads its control FIFO), starting from `status`.
struct OneService {
    QTemporaryDir dir;
    QString scan = dir.filePath("scan");
    QString supervise = scan + "/svc/supervise";
    int reader = -1;

    bool start(const QByteArray &status) {
        QFile run(scan + "/svc/run");
        if (!dir.isValid() || !QDir().mkpath(supervise) || !QDir().mkpath(dir.filePath("log")) ||
            !run.open(QIODevice::WriteOnly) || !replaceStatus(supervise, status))
            return false;
        const QByteArray control = QFile::encodeName(supervise + "/control");
        if (::mkfifo(control.constData(), 0600) != 0)
            return false;
        reader = ::open(control.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        return reader >= 0;
    }
    ~OneService() {
        if (reader >= 0)
            ::close(reader);
    }
    std::string logDir() const { return dir.filePath("log").toStdString(); }
};

// The agent's parts over that directory, as main() puts them together.
struct AgentParts {
    agent::EventLoop loop;
    agent::ChildRunner children{loop};
    agent::Services services;
    agent::Api api;
    explicit AgentParts(const OneService &one)
        : services(one.scan.toStdString(), one.logDir(), one.scan.toStdString())
        , api(loop, services, children, agent::SvstatDialect::V2_11, "test") {}
};

// GET /services/svc/status, answered before the call returns (it reads kept readings or files).
QJsonObject statusOf(agent::Api &api) {
    agent::Request request;
    request.method = "GET";
    request.url = "/services/svc/status";
    QJsonObject object;
    api.handle(request, [&object](agent::Response r) {
        if (r.status == 200)
            object = QJsonDocument::fromJson(QByteArray::fromStdString(r.body)).object();
    });
    return object;
}

} // namespace

class AgentStatusFresh final : public QObject {
    Q_OBJECT

private slots:
    void answerShowsARenameOfTheSameTurn() {
        const QByteArray up = fixture("up");
        const QByteArray down = fixture("signalled");
        QVERIFY(!up.isEmpty() && !down.isEmpty());
        OneService one;
        QVERIFY(one.start(up));

        AgentParts parts(one);
        agent::EventLoop &loop = parts.loop;
        agent::Api &api = parts.api;
        agent::Inotify inotify(loop);
        QVERIFY(inotify.isValid());
        api.setInotify(&inotify);
        agent::EventHub hub(loop, inotify, parts.services, api, agent::EventHub::Limits());
        api.setEventHub(&hub);
        const agent::Response subscription = hub.subscribe();
        QVERIFY(subscription.stream);
        // One turn of the loop: the watcher hands on what it learnt while setting up, and the
        // readings kept for /events are in use from then on.
        const auto turn = [&loop] {
            loop.post([&loop] { loop.stop(); });
            loop.run();
        };
        turn();

        const auto isUp = [&api]() -> std::optional<bool> {
            const QJsonObject o = statusOf(api);
            if (!o.contains("is_up"))
                return std::nullopt;
            return o.value("is_up").toBool();
        };
        QCOMPARE(isUp(), std::optional<bool>(true));
        for (int round = 0; round < 10; ++round) {
            const bool next = round % 2 == 0 ? false : true;
            QVERIFY(replaceStatus(one.supervise, next ? up : down));
            QCOMPARE(isUp(), std::optional<bool>(next)); // no loop turn in between
            turn();
            QCOMPARE(isUp(), std::optional<bool>(next)); // and from the kept reading after one
        }
    }

    void objectsMoveWithTheClock() {
        // An unchanged reading gives the same object only while no number in it that moves
        // with the clock has moved: the uptime (in `raw` too) follows the seconds.
        // The up fixture stamped now, and ready half a second earlier: the two numbers tick at
        // different moments, and each answer must show both as the clock has them.
        QByteArray up = fixture("up");
        QVERIFY(!up.isEmpty());
        const agent::Tai64n stamp = agent::taiNow();
        agent::Tai64n ready = stamp;
        if (ready.nano >= 500000000) {
            ready.nano -= 500000000;
        } else {
            ready.label -= 1;
            ready.nano += 500000000;
        }
        const auto put = [&up](int at, const agent::Tai64n &t) {
            for (int i = 0; i < 8; ++i)
                up[at + i] = char((t.label >> (56 - 8 * i)) & 0xff);
            for (int i = 0; i < 4; ++i)
                up[at + 8 + i] = char((t.nano >> (24 - 8 * i)) & 0xff);
        };
        put(0, stamp);
        put(12, ready);
        OneService one;
        QVERIFY(one.start(up));

        AgentParts parts(one);
        const auto uptime = [&api = parts.api] {
            const QJsonObject o = statusOf(api);
            const qint64 seconds = o.value("uptime_seconds").toInteger(-1);
            // The text says the same number as the field.
            if (!o.value("raw").toString().contains(QStringLiteral(" %1 seconds").arg(seconds)))
                return qint64(-2);
            return seconds;
        };
        // Asked again and again until the uptime has ticked three times: every answer within
        // the seconds the clock showed around it.
        bool consistent = true;
        qint64 last = -1;
        int ticks = 0;
        const auto check = [&] {
            const uint64_t low = agent::secondsBetween(stamp, agent::taiNow());
            const qint64 seconds = uptime();
            const uint64_t high = agent::secondsBetween(stamp, agent::taiNow());
            if (seconds < qint64(low) || seconds > qint64(high))
                consistent = false;
            if (seconds != last) {
                ++ticks;
                last = seconds;
            }
            return ticks > 3;
        };
        QTRY_VERIFY_WITH_TIMEOUT(check(), 10000);
        QVERIFY(consistent);
    }
};

QTEST_GUILESS_MAIN(AgentStatusFresh)
#include "agent_status_fresh.moc"

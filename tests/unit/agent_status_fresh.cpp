// Status answers taken from the readings kept for /events, in one process and one loop turn:
// s6-supervise's rename of a new status file lands, and the very next request, before the
// event loop has run again, must already show it. Only the drain of inotify at the start of
// the request can make it so; without it the kept reading would still be the old one.
#include "Api.h"
#include "ChildRunner.h"
#include "EventHub.h"
#include "EventLoop.h"
#include "Inotify.h"
#include "Services.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <fcntl.h>
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

} // namespace

class AgentStatusFresh final : public QObject {
    Q_OBJECT

private slots:
    void answerShowsARenameOfTheSameTurn() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString scan = dir.filePath("scan");
        const QString supervise = scan + "/svc/supervise";
        QVERIFY(QDir().mkpath(supervise));
        QVERIFY(QDir().mkpath(dir.filePath("log")));
        QFile run(scan + "/svc/run");
        QVERIFY(run.open(QIODevice::WriteOnly));
        run.close();
        const QByteArray up = fixture("up");
        const QByteArray down = fixture("signalled");
        QVERIFY(!up.isEmpty() && !down.isEmpty());
        QVERIFY(replaceStatus(supervise, up));
        // A supervisor as the agent sees one: someone reads the control FIFO.
        const QByteArray control = QFile::encodeName(supervise + "/control");
        QCOMPARE(::mkfifo(control.constData(), 0600), 0);
        const int reader = ::open(control.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY(reader >= 0);

        agent::EventLoop loop;
        agent::ChildRunner children(loop);
        agent::Services services(scan.toStdString(), dir.filePath("log").toStdString(),
                                 scan.toStdString());
        agent::Api api(loop, services, children, agent::SvstatDialect::V2_11, "test");
        agent::Inotify inotify(loop);
        QVERIFY(inotify.isValid());
        api.setInotify(&inotify);
        agent::EventHub hub(loop, inotify, services, api, agent::EventHub::Limits());
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

        const auto isUp = [&api] {
            agent::Request request;
            request.method = "GET";
            request.url = "/services/svc/status";
            std::optional<bool> up;
            api.handle(request, [&up](agent::Response r) {
                const QJsonObject o =
                    QJsonDocument::fromJson(QByteArray::fromStdString(r.body)).object();
                if (r.status == 200 && o.contains("is_up"))
                    up = o.value("is_up").toBool();
            });
            return up;
        };
        QCOMPARE(isUp(), std::optional<bool>(true));
        for (int round = 0; round < 10; ++round) {
            const bool next = round % 2 == 0 ? false : true;
            QVERIFY(replaceStatus(supervise, next ? up : down));
            QCOMPARE(isUp(), std::optional<bool>(next)); // no loop turn in between
            turn();
            QCOMPARE(isUp(), std::optional<bool>(next)); // and from the kept reading after one
        }
        ::close(reader);
    }
};

QTEST_GUILESS_MAIN(AgentStatusFresh)
#include "agent_status_fresh.moc"

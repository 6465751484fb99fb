// GET /events against a real s6-svscan tree: the snapshot, events for real
// s6-svc commands, services added and removed, flapping services, a subscriber
// that stops reading, and an idle agent that does not wake.

#include "AgentProcess.h"
#include "S6Tree.h"
#include "agent_client.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

const QString kSleep = QStringLiteral("#!/bin/sh\nexec sleep 100000\n");

struct SseEvent {
    qint64 id = 0;
    QByteArray event;
    QJsonObject data;
};

// The complete events in a text/event-stream body so far; comments (": ping") left out.
QList<SseEvent> parseEvents(const QByteArray &body) {
    QList<SseEvent> events;
    qsizetype start = 0;
    for (qsizetype end; (end = body.indexOf("\n\n", start)) >= 0; start = end + 2) {
        SseEvent e;
        bool any = false;
        for (const QByteArray &line : body.mid(start, end - start).split('\n')) {
            if (line.startsWith("id: "))
                e.id = line.mid(4).toLongLong();
            else if (line.startsWith("event: "))
                e.event = line.mid(7);
            else if (line.startsWith("data: "))
                e.data = QJsonDocument::fromJson(line.mid(6)).object();
            else
                continue;
            any = true;
        }
        if (any)
            events.append(e);
    }
    return events;
}

// The Status object without what changes as time passes.
QJsonObject timeless(QJsonObject status) {
    status.remove("raw");
    status.remove("uptime_seconds");
    return status;
}

// A subscriber: one connection reading /events.
class Subscriber {
public:
    explicit Subscriber(const QString &socket)
        : m_connection(socket) {}
    bool subscribe() {
        return m_connection.sendRequest("GET", "/events") &&
               m_connection.readUntil([](const HttpReply &r) { return r.headersDone; });
    }
    const HttpReply &reply() const { return m_connection.current(); }
    QList<SseEvent> events() const { return parseEvents(m_connection.current().body); }
    // Reads until `done(events so far)`; false at the deadline.
    bool waitFor(const std::function<bool(const QList<SseEvent> &)> &done, int timeoutMs = 10000) {
        return m_connection.readUntil([&](const HttpReply &r) { return done(parseEvents(r.body)); },
                                      timeoutMs);
    }
    // A service event for `name` after the first `skip` events that satisfies `check`.
    bool waitForService(const QString &name, qsizetype skip,
                        const std::function<bool(const QJsonObject &)> &check) {
        return waitFor([&](const QList<SseEvent> &events) {
            for (qsizetype i = skip; i < events.size(); ++i)
                if (events[i].event == "service" && events[i].data.value("name") == name &&
                    check(events[i].data))
                    return true;
            return false;
        });
    }
    AgentConnection &connection() { return m_connection; }

private:
    AgentConnection m_connection;
};

// The peer closed its end (without reading what is buffered).
bool peerClosed(int fd) {
    pollfd p{fd, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP));
}

// No command waits in the service's control FIFO.
bool controlDrained(const QString &serviceDir) {
    const QByteArray path = QFile::encodeName(serviceDir + "/supervise/control");
    const int fd = ::open(path.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    int unread = -1;
    const bool ok = ::ioctl(fd, FIONREAD, &unread) == 0;
    ::close(fd);
    return ok && unread == 0;
}

struct ProcStats {
    qint64 cpuTicks = -1; // utime + stime
    qint64 voluntarySwitches = -1;
    qint64 involuntarySwitches = -1;
};

ProcStats procStats(qint64 pid) {
    ProcStats s;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        const QList<QByteArray> f = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 12)
            s.cpuTicks = f[11].toLongLong() + f[12].toLongLong();
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("voluntary_ctxt_switches:"))
                s.voluntarySwitches = line.mid(24).trimmed().toLongLong();
            else if (line.startsWith("nonvoluntary_ctxt_switches:"))
                s.involuntarySwitches = line.mid(27).trimmed().toLongLong();
        }
    }
    return s;
}

} // namespace

class AgentEvents final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void snapshot();
    void controlProducesEvents();
    void addedAndRemoved();
    void statusIsNeverOlderThanS6();
    // Before the flapping: s6-supervise works through queued commands for a while after it.
    void idleAgentDoesNotWake();
    void flappingLosesNothingAndSlowSubscriberIsDropped();
    void replacedEntryIsWatchedAnew();

private:
    // s6-supervise goes on acting on commands it has read for a while: settled is
    // drained, up and wanted up, and no transition for a whole second since.
    bool settled(const QString &name) {
        const QJsonObject s = status(name);
        return controlDrained(m_tree.serviceDir(name)) && s.value("is_up").toBool() &&
               s.value("want_up").toBool() && s.value("uptime_seconds").toInteger() >= 1;
    }
    QJsonObject status(const QString &name) {
        return agentRequest(m_agent.socketPath(), "GET", "/services/" + name.toUtf8() + "/status")
            .json();
    }

    S6Tree m_tree;
    AgentProcess m_agent;
    QStringList m_flappers;
};

void AgentEvents::initTestCase() {
    QVERIFY(m_tree.isValid());
    QVERIFY(m_tree.addService("web", kSleep));
    S6ServiceOptions down;
    down.downFile = true;
    QVERIFY(m_tree.addService("idle", kSleep, down));
    for (int i = 0; i < 10; ++i) {
        m_flappers << QStringLiteral("flap%1").arg(i);
        QVERIFY(m_tree.addService(m_flappers.last(), kSleep));
    }
    QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
    QVERIFY(m_tree.waitUntilUp("web"));
    for (const QString &name : m_flappers)
        QVERIFY(m_tree.waitUntilUp(name));
    // A small backlog bound, so that a stalled subscriber is dropped within the test.
    QVERIFY2(m_agent.start(m_tree.scanDir(), m_tree.logDir(), m_tree.scanDir(),
                           {"--events-backlog", "16384"}),
             qPrintable(m_agent.errorString()));
}

void AgentEvents::cleanupTestCase() {
    QVERIFY(m_agent.stop());
    QVERIFY(m_tree.stop());
}

void AgentEvents::snapshot() {
    const QStringList names = agentRequest(m_agent.socketPath(), "GET", "/services")
                                  .json()
                                  .value("services")
                                  .toVariant()
                                  .toStringList();
    QCOMPARE(names.size(), 12);
    Subscriber sub(m_agent.socketPath());
    QVERIFY(sub.subscribe());
    QCOMPARE(sub.reply().status, 200);
    QCOMPARE(sub.reply().headers.value("content-type"), QByteArray("text/event-stream"));
    QVERIFY(sub.waitFor([&](const QList<SseEvent> &e) { return e.size() >= names.size(); }));
    const QList<SseEvent> events = sub.events();
    QCOMPARE(events.size(), names.size());
    for (qsizetype i = 0; i < events.size(); ++i) {
        QCOMPARE(events[i].id, i + 1);
        QCOMPARE(events[i].event, QByteArray("service"));
        const QString name = events[i].data.value("name").toString();
        QCOMPARE(name, names[i]);
        // The very object GET /services/{name}/status gives, but for the seconds.
        QCOMPARE(timeless(events[i].data), timeless(status(name)));
        QCOMPARE(events[i].data.keys(), status(name).keys());
    }
}

void AgentEvents::controlProducesEvents() {
    Subscriber sub(m_agent.socketPath());
    QVERIFY(sub.subscribe());
    QVERIFY(sub.waitFor([](const QList<SseEvent> &e) { return e.size() >= 12; }));
    qsizetype seen = sub.events().size();

    QVERIFY(m_tree.svc("web", "-d"));
    QVERIFY(sub.waitForService("web", seen, [](const QJsonObject &s) {
        return !s.value("is_up").toBool() && !s.value("want_up").toBool();
    }));
    seen = sub.events().size();

    QVERIFY(m_tree.svc("web", "-u"));
    QVERIFY(sub.waitForService("web", seen, [](const QJsonObject &s) {
        return s.value("is_up").toBool() && s.value("want_up").toBool();
    }));
    const qint64 pid = sub.events().last().data.value("pid").toInteger();
    QVERIFY(pid > 0);
    seen = sub.events().size();

    // Killed: down by SIGKILL, then up again under a new pid.
    QVERIFY(m_tree.svc("web", "-k"));
    QVERIFY(sub.waitForService("web", seen, [pid](const QJsonObject &s) {
        return s.value("is_up").toBool() && s.value("pid").toInteger() != pid;
    }));
    // Every event, in order: ids without a gap.
    const QList<SseEvent> events = sub.events();
    for (qsizetype i = 0; i < events.size(); ++i)
        QCOMPARE(events[i].id, i + 1);
    QCOMPARE(timeless(events.last().data), timeless(status("web")));
}

// While /events has a subscriber, status answers come from the readings kept for it. An answer
// must still show every change s6 recorded before the request: s6-svstat has seen the new
// status file, and at once, before the subscriber's event is read, both status routes agree.
void AgentEvents::statusIsNeverOlderThanS6() {
    Subscriber sub(m_agent.socketPath());
    QVERIFY(sub.subscribe());
    QVERIFY(sub.waitFor([](const QList<SseEvent> &e) { return e.size() >= 12; }));
    const auto allStatus = [this](const QString &name) {
        const QJsonArray all = agentRequest(m_agent.socketPath(), "GET", "/services/status")
                                   .json()["statuses"]
                                   .toArray();
        for (const QJsonValue &v : all)
            if (v["name"] == name)
                return v.toObject();
        return QJsonObject();
    };
    for (int round = 0; round < 25; ++round) {
        for (const bool up : {false, true}) {
            const qsizetype seen = sub.events().size();
            QVERIFY(m_tree.svc("web", up ? "-u" : "-d"));
            QVERIFY(QTest::qWaitFor(
                [&] { return m_tree.svstat("web").startsWith(up ? "up " : "down "); }, 10000));
            const QJsonObject one = status("web");
            QVERIFY2(one.value("is_up").toBool() == up && one.value("want_up").toBool() == up,
                     qPrintable(QStringLiteral("round %1: %2")
                                    .arg(round)
                                    .arg(QString::fromUtf8(
                                        QJsonDocument(one).toJson(QJsonDocument::Compact)))));
            const QJsonObject inList = allStatus("web");
            QCOMPARE(inList.value("is_up").toBool(), up);
            // Read on, so the subscriber stays within its backlog and the readings in use.
            QVERIFY(sub.waitForService("web", seen, [up](const QJsonObject &e) {
                return e.value("is_up").toBool() == up;
            }));
        }
    }
    QVERIFY(!peerClosed(sub.connection().fd()));
}

// s6-rc replaces a scan-directory entry by swapping a symlink into place. The watches of the
// old target must give way to the new one's, or status answers taken from the readings kept
// for /events would follow the old directory.
void AgentEvents::replacedEntryIsWatchedAnew() {
    QVERIFY(m_tree.addService("swap-a", kSleep));
    QVERIFY(m_tree.addService("swap-b", kSleep));
    QVERIFY(m_tree.waitUntilUp("swap-a"));
    QVERIFY(m_tree.waitUntilUp("swap-b"));
    const QString link = m_tree.scanDir() + "/swapped";
    const auto linkTo = [&](const QString &target) {
        const QString staging = m_tree.scanDir() + "/.swapped-new";
        return QFile::link(target, staging) && ::rename(QFile::encodeName(staging).constData(),
                                                        QFile::encodeName(link).constData()) == 0;
    };
    Subscriber sub(m_agent.socketPath());
    QVERIFY(sub.subscribe());
    QVERIFY(linkTo(m_tree.serviceDir("swap-a")));
    QVERIFY(sub.waitFor([](const QList<SseEvent> &events) {
        for (const SseEvent &e : events)
            if (e.event == "service_added" && e.data.value("name") == "swapped")
                return true;
        return false;
    }));
    QVERIFY(status("swapped").value("is_up").toBool());

    QVERIFY(linkTo(m_tree.serviceDir("swap-b")));
    QVERIFY(m_tree.svc("swap-b", "-d"));
    QVERIFY(QTest::qWaitFor([&] { return m_tree.svstat("swap-b").startsWith("down "); }, 10000));
    // s6 has recorded it; the entry's answer follows the directory it now names.
    QTRY_VERIFY_WITH_TIMEOUT(!status("swapped").value("is_up").toBool(), 5000);
    QCOMPARE(status("swapped").value("pid"), status("swap-b").value("pid"));

    QVERIFY(QFile::remove(link));
    for (const char *name : {"swap-a", "swap-b"})
        QVERIFY(QDir().rename(m_tree.serviceDir(name), m_tree.root() + "/gone-" + name));
    QProcess ctl;
    ctl.start("s6-svscanctl", {"-an", m_tree.scanDir()});
    QVERIFY(ctl.waitForFinished());
}

void AgentEvents::addedAndRemoved() {
    Subscriber sub(m_agent.socketPath());
    QVERIFY(sub.subscribe());
    QVERIFY(sub.waitFor([](const QList<SseEvent> &e) { return e.size() >= 12; }));
    const qsizetype seen = sub.events().size();
    auto has = [&](const QByteArray &event, const QString &name) {
        return [&, event, name](const QList<SseEvent> &events) {
            for (qsizetype i = seen; i < events.size(); ++i)
                if (events[i].event == event && events[i].data.value("name") == name)
                    return true;
            return false;
        };
    };

    QVERIFY(m_tree.addService("late", kSleep)); // renamed in, then s6-svscanctl -a
    QVERIFY(sub.waitFor(has("service_added", "late")));
    QCOMPARE(sub.events().at(seen).data, QJsonObject({{"name", "late"}}));
    QVERIFY(sub.waitForService("late", seen,
                               [](const QJsonObject &s) { return s.value("is_up").toBool(); }));

    // Out of the scan directory, then s6-svscan told to let its supervisor go.
    QVERIFY(QDir().rename(m_tree.serviceDir("late"), m_tree.root() + "/late-gone"));
    QProcess ctl;
    ctl.start("s6-svscanctl", {"-an", m_tree.scanDir()});
    QVERIFY(ctl.waitForFinished());
    QVERIFY(sub.waitFor(has("service_removed", "late")));
    QCOMPARE(agentRequest(m_agent.socketPath(), "GET", "/services/late/status").status, 404);
}

void AgentEvents::flappingLosesNothingAndSlowSubscriberIsDropped() {
    Subscriber reader(m_agent.socketPath());
    QVERIFY(reader.subscribe());
    // Subscribes and then never reads again.
    AgentConnection stalled(m_agent.socketPath());
    QVERIFY(stalled.sendRequest("GET", "/events"));
    QVERIFY(reader.waitFor([](const QList<SseEvent> &e) { return e.size() >= 12; }));

    // 100 down/up cycles per service, written to supervise/control as s6-svc does.
    QString script =
        QStringLiteral("cd '%1' || exit 1\ni=0\nwhile [ $i -lt 100 ]; do\n").arg(m_tree.scanDir());
    for (const QString &name : m_flappers)
        script += QStringLiteral("  printf d > %1/supervise/control\n"
                                 "  printf u > %1/supervise/control\n")
                      .arg(name);
    script += QStringLiteral("  i=$((i+1))\ndone\n");
    QProcess flap;
    flap.start("/bin/sh", {"-c", script});
    QVERIFY(flap.waitForStarted());
    // The reader keeps reading meanwhile (each read waits for data, or the flapping's end).
    while (!flap.waitForFinished(0))
        reader.connection().readUntil([](const HttpReply &) { return false; }, 50);
    QCOMPARE(flap.exitStatus(), QProcess::NormalExit);
    QCOMPARE(flap.exitCode(), 0);
    // The reader reads while it waits: it must not fall behind itself.
    const auto settle = [&](const QString &name) {
        QDeadlineTimer deadline(30000);
        while (!settled(name) && !deadline.hasExpired())
            reader.connection().readUntil([](const HttpReply &) { return false; }, 50);
        return settled(name);
    };
    for (const QString &name : m_flappers)
        QVERIFY2(settle(name), qPrintable(name));

    // Per service, the last event is the final state; ids come without a gap.
    // Checked again whenever more arrives: a state the agent shows must come as an event.
    for (const QString &name : m_flappers) {
        QVERIFY2(reader.waitFor([&](const QList<SseEvent> &events) {
            for (qsizetype i = events.size(); i-- > 0;)
                if (events[i].event == "service" && events[i].data.value("name") == name)
                    return timeless(events[i].data) == timeless(status(name));
            return false;
        }),
                 qPrintable(name));
    }
    const QList<SseEvent> events = reader.events();
    for (qsizetype i = 0; i < events.size(); ++i)
        QCOMPARE(events[i].id, i + 1);
    qInfo("the reader got %lld events, %lld bytes", qlonglong(events.size()),
          qlonglong(reader.reply().body.size()));

    // The stalled subscriber falls behind past the bound (what the kernel buffers for it,
    // plus the agent's bound) and is dropped; the reader is not. More events until then.
    const QString web = m_tree.serviceDir("web") + "/supervise/control";
    // One command at a time, as fast as s6-supervise takes them.
    int sent = 0;
    for (int round = 0; round < 20000 && !peerClosed(stalled.fd()); ++round) {
        if (!controlDrained(m_tree.serviceDir("web"))) {
            reader.connection().readUntil([](const HttpReply &) { return false; }, 5);
            continue;
        }
        QFile control(web);
        QVERIFY(control.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        QVERIFY(control.write(sent++ % 2 ? "u" : "d") == 1);
        control.close();
        reader.connection().readUntil([](const HttpReply &) { return false; }, 5);
    }
    QVERIFY(peerClosed(stalled.fd()));
    QVERIFY(!peerClosed(reader.connection().fd()));
    QVERIFY(m_tree.svc("web", "-u"));
    QVERIFY(settle("web"));
    QVERIFY(reader.waitFor([&](const QList<SseEvent> &events) {
        for (qsizetype i = events.size(); i-- > 0;)
            if (events[i].event == "service" && events[i].data.value("name") == "web")
                return timeless(events[i].data) == timeless(status("web"));
        return false;
    }));
    qInfo("the stalled subscriber was dropped after %d more commands; the reader got %lld "
          "events, %lld bytes",
          sent, qlonglong(reader.events().size()), qlonglong(reader.reply().body.size()));
}

void AgentEvents::idleAgentDoesNotWake() {
    // Two subscribers and a log follower, then nothing happens.
    Subscriber a(m_agent.socketPath());
    Subscriber b(m_agent.socketPath());
    QVERIFY(a.subscribe());
    QVERIFY(b.subscribe());
    QVERIFY(QDir().mkpath(m_tree.logDir() + "/idle"));
    QFile log(m_tree.logFile("idle"));
    QVERIFY(log.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
    QVERIFY(log.write("first\n") > 0);
    AgentConnection follow(m_agent.socketPath());
    QVERIFY(follow.sendRequest("GET", "/services/idle/logs?follow=true&tail=5"));
    QVERIFY(follow.readUntil([](const HttpReply &r) { return r.body == "first\n"; }));
    QVERIFY(a.waitFor([](const QList<SseEvent> &e) { return e.size() >= 12; }));
    QVERIFY(b.waitFor([](const QList<SseEvent> &e) { return e.size() >= 12; }));

    const qint64 pid = m_agent.pid();
    const ProcStats before = procStats(pid);
    QVERIFY(before.cpuTicks >= 0 && before.voluntarySwitches >= 0);
    // A measuring window, not a wait for something: nothing is supposed to happen in it.
    const int windowMs = 3000;
    QTest::qWait(windowMs);
    const ProcStats after = procStats(pid);
    const qint64 wakeups = after.voluntarySwitches - before.voluntarySwitches;
    qInfo("idle agent over %d ms: %lld CPU ticks, %lld voluntary and %lld involuntary context "
          "switches",
          windowMs, qlonglong(after.cpuTicks - before.cpuTicks), qlonglong(wakeups),
          qlonglong(after.involuntarySwitches - before.involuntarySwitches));
    // Each voluntary switch is the agent going back to sleep after a wake-up; the only timer
    // running is each subscriber's 15 s heartbeat, which cannot fall in this window twice.
    QVERIFY2(wakeups <= 2, qPrintable(QString::number(wakeups)));

    // Still awake when something does happen: a log line, a state change.
    QVERIFY(log.write("second\n") > 0);
    QVERIFY(follow.readUntil([](const HttpReply &r) { return r.body == "first\nsecond\n"; }));
    const qsizetype seen = a.events().size();
    QVERIFY(m_tree.svc("idle", "-u"));
    QVERIFY(a.waitForService("idle", seen,
                             [](const QJsonObject &s) { return s.value("is_up").toBool(); }));
}

QTEST_GUILESS_MAIN(AgentEvents)
#include "agent_events.moc"

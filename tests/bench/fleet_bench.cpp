// The dashboard's fleet mode under load: N robots (default 20), each a `system-managerd
// --demo` of its own (its own s6 tree, s6-agent and crash-looping demo service, so every robot
// streams events all the time), shown in one window. A 5 ms timer in the window's thread
// measures how late the event loop turns (the gap a technician would feel as a stutter),
// first with the window alone (the baseline, same run), then while all N robots stream, with
// one robot's services and log on screen. The window's memory is read before the fleet and
// after it has streamed; the difference per robot is printed.
//
//   BUILD_TARGETS="bench_fleet system-managerd s6-agent" scripts/build
//   QT_QPA_PLATFORM=offscreen build/bin/bench_fleet [--robots N] [--seconds S]
//   QT_QPA_PLATFORM=offscreen build/bin/bench_fleet --robots 3 --screenshot docs/fleet.png
//
// Exits 1 when the gap's p99 with the fleet is 50 ms or more, when a robot sent no events, or
// when a robot costs more than 4 MiB; 2 when the setup fails.
#include "DemoLauncher.h"
#include "MainWindow.h"
#include "ServiceTableModel.h"
#include "backend/Backend.h"
#include "fleet/Fleet.h"

#include <QTreeView>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace sm;

namespace {

constexpr int kTickMs = 5;
constexpr double kTargetP99Ms = 50;
constexpr double kMaxPerRobotMiB = 4;

double rssMiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return 0;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

struct Gaps {
    double p50 = 0, p99 = 0, max = 0;
    std::size_t ticks = 0;
};

// Turns the event loop for `ms` while a kTickMs timer records how late each tick comes.
Gaps measureGaps(int ms) {
    std::vector<double> late;
    QElapsedTimer clock;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(kTickMs);
    qint64 last = 0;
    clock.start();
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        late.push_back(std::max(0.0, double(now - last) / 1e6 - kTickMs));
        last = now;
    });
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    last = clock.nsecsElapsed();
    tick.start();
    loop.exec();
    return {percentile(late, 0.5), percentile(late, 0.99),
            late.empty() ? 0 : *std::max_element(late.begin(), late.end()), late.size()};
}

// Turns the event loop until `done` holds or `ms` pass.
bool waitFor(const std::function<bool()> &done, int ms) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > ms)
            return false;
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption robotsOption(QStringLiteral("robots"), QStringLiteral("Robots."),
                                          QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Seconds measured."), QStringLiteral("S"),
                                           QStringLiteral("20"));
    const QCommandLineOption shotOption(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the overview here and exit."),
                                        QStringLiteral("FILE"));
    parser.addOptions({robotsOption, secondsOption, shotOption});
    parser.addHelpOption();
    parser.process(app);
    const int robots = std::max(1, parser.value(robotsOption).toInt());
    const int seconds = std::max(1, parser.value(secondsOption).toInt());
    const QString daemon =
        QCoreApplication::applicationDirPath() + QStringLiteral("/system-managerd");

    MainWindow window;
    window.resize(1200, 750);
    window.show();
    std::printf("fleet bench: %d robots, %d s per phase\n", robots, seconds);

    // The baseline: the same window, no fleet.
    waitFor([] { return false; }, 500); // let the window settle first
    const double rssBefore = rssMiB();
    const Gaps alone = measureGaps(seconds * 1000);

    QList<DemoLauncher *> demos;
    QList<FleetRobot> fleetRobots;
    int ready = 0, failed = 0;
    for (int i = 0; i < robots; ++i) {
        auto *demo = new DemoLauncher(daemon,
                                      {QStringLiteral("--demo"), QStringLiteral("--listen"),
                                       QStringLiteral("127.0.0.1:0"), QStringLiteral("--quiet")},
                                      &app);
        demo->setStartTimeout(60000);
        QObject::connect(demo, &DemoLauncher::ready, [&ready] { ++ready; });
        QObject::connect(demo, &DemoLauncher::failed, [&failed](const QString &message) {
            std::fprintf(stderr, "fleet bench: a demo failed: %s\n", qPrintable(message));
            ++failed;
        });
        demos.append(demo);
        demo->start();
    }
    auto stopAll = [&] {
        int stopped = 0;
        for (DemoLauncher *demo : std::as_const(demos)) {
            if (!demo->isRunning()) {
                ++stopped;
                continue;
            }
            QObject::connect(demo, &DemoLauncher::stopped, [&stopped] { ++stopped; });
            demo->stop();
        }
        waitFor([&] { return stopped == demos.size(); }, 30000);
    };
    if (!waitFor([&] { return ready + failed == robots; }, 120000) || failed > 0) {
        std::fprintf(stderr, "fleet bench: %d of %d demo daemons started\n", ready, robots);
        stopAll();
        return 2;
    }
    for (int i = 0; i < robots; ++i)
        fleetRobots.append({QStringLiteral("robot-%1").arg(i + 1, 2, 10, QLatin1Char('0')),
                            demos.at(i)->url(),
                            {}});

    Fleet fleet(fleetRobots);
    std::vector<int> events(std::size_t(robots), 0);
    window.setFleet(&fleet);
    fleet.start();
    for (int i = 0; i < robots; ++i)
        QObject::connect(fleet.at(i)->backend(), &Backend::serviceChanged,
                         [&events, i] { ++events[std::size_t(i)]; });
    const bool loaded = waitFor(
        [&] {
            for (int i = 0; i < robots; ++i)
                if (!fleet.at(i)->isLoaded() || !fleet.at(i)->backend()->isLive())
                    return false;
            return true;
        },
        60000);
    if (!loaded) {
        std::fprintf(stderr, "fleet bench: not every robot connected and streamed\n");
        stopAll();
        return 2;
    }

    if (parser.isSet(shotOption)) {
        // The first robot's crash loop shows in the overview once it has died a few times.
        waitFor([&] { return fleet.at(0)->counts().crashLoop > 0; }, 20000);
        window.selectFleetEntry(-1);
        window.fleetView()->expandAll();
        waitFor([] { return false; }, 500);
        const bool saved = window.grab().save(parser.value(shotOption));
        std::printf("fleet bench: %s %s\n", saved ? "saved" : "could not save",
                    qPrintable(parser.value(shotOption)));
        window.setFleet(nullptr);
        stopAll();
        return saved ? 0 : 2;
    }

    // One robot on screen, as a technician would have it: its services, and the crash-looping
    // service's log followed.
    window.selectFleetEntry(0, QStringLiteral("demo"));
    waitFor([&] { return window.serviceModel()->rowOf(QStringLiteral("crashy")) >= 0; }, 10000);
    window.selectRow(QStringLiteral("crashy"));
    std::fill(events.begin(), events.end(), 0);
    const Gaps streaming = measureGaps(seconds * 1000);
    const double rssAfter = rssMiB();
    const double perRobot = (rssAfter - rssBefore) / robots;
    const int quietest = *std::min_element(events.begin(), events.end());
    int total = 0;
    for (const int n : events)
        total += n;

    std::printf("event-loop gap (lateness of a %d ms timer), ms:\n", kTickMs);
    std::printf("  window alone (baseline): p50 %.2f  p99 %.2f  max %.2f  (%zu ticks)\n", alone.p50,
                alone.p99, alone.max, alone.ticks);
    std::printf("  %d robots streaming:     p50 %.2f  p99 %.2f  max %.2f  (%zu ticks)\n", robots,
                streaming.p50, streaming.p99, streaming.max, streaming.ticks);
    std::printf("  target: p99 < %.0f ms with the fleet\n", kTargetP99Ms);
    std::printf("events received: %d in %d s (%.1f/s), the quietest robot sent %d\n", total,
                seconds, double(total) / seconds, quietest);
    std::printf("window memory: %.1f MiB alone, %.1f MiB with %d robots: %.2f MiB per robot\n",
                rssBefore, rssAfter, robots, perRobot);

    window.setFleet(nullptr);
    stopAll();
    bool ok = true;
    if (streaming.p99 >= kTargetP99Ms) {
        std::printf("MISSED: the gap's p99 is %.2f ms\n", streaming.p99);
        ok = false;
    }
    if (quietest == 0) {
        std::printf("MISSED: a robot sent no events while measured\n");
        ok = false;
    }
    if (perRobot > kMaxPerRobotMiB) {
        std::printf("MISSED: %.2f MiB per robot\n", perRobot);
        ok = false;
    }
    std::printf(ok ? "fleet bench: all targets met\n" : "fleet bench: targets missed\n");
    return ok ? 0 : 1;
}

// The agent's reading of `s6-permafailon` in a finish script and its replay of
// s6-permafailon's decision over a death tally (agent/Permafail.h).

#include "Permafail.h"

#include <QTest>

using namespace agent;

namespace {

constexpr uint64_t kTaiBase = uint64_t(1) << 62;

std::optional<PermafailRule> parse(const char *script) {
    return parsePermafailon(script);
}

Death death(uint64_t second, uint8_t exitCode, uint8_t signal = 0, uint32_t nano = 0) {
    return Death{Tai64n{kTaiBase + second, nano}, exitCode, signal};
}

PermafailRule rule(const char *args) {
    return parsePermafailon(std::string("s6-permafailon ") + args + " true")
        .value_or(PermafailRule{});
}

// Down after a death at `second`, its finish script done, not wanted up.
SupervisionStatus downAfter(uint64_t second, bool wantUp = false) {
    SupervisionStatus st;
    st.stamp = Tai64n{kTaiBase + second, 0};
    st.wantUp = wantUp;
    st.ready = true; // s6-supervise marks a stopped service ready
    return st;
}

} // namespace

class AgentPermafail final : public QObject {
    Q_OBJECT

private slots:
    void shellScript() {
        const auto r = parse("#!/bin/sh\nexec s6-permafailon 60 2 1-255 true\n");
        QVERIFY(r);
        QCOMPARE(r->seconds, 60u);
        QCOMPARE(r->deaths, 2u);
        QVERIFY(!r->exitCodes.test(0));
        for (int code = 1; code <= 255; ++code)
            QVERIFY(r->exitCodes.test(size_t(code)));
        QVERIFY(r->termSignals.none());
    }

    void execlineScriptWithSignals() {
        const auto r = parse("#!/command/execlineb -S0\n"
                             "/command/s6-permafailon 10 3 1,2;SIGSEGV,TERM,sig9,SIG34\n"
                             "exit 0\n");
        QVERIFY(r);
        QCOMPARE(r->seconds, 10u);
        QCOMPARE(r->deaths, 3u);
        QCOMPARE(r->exitCodes.count(), size_t(2));
        QVERIFY(r->exitCodes.test(1) && r->exitCodes.test(2));
        // A name with or without "SIG" (the prefix in any case), or SIG and a number.
        QCOMPARE(r->termSignals.count(), size_t(4));
        QVERIFY(r->termSignals.test(11) && r->termSignals.test(15) && r->termSignals.test(9) &&
                r->termSignals.test(34));
    }

    void quotedListAndCaps() {
        // A quoted list keeps its blanks; a count beyond the largest tally is capped.
        const auto r = parse("s6-permafailon '5' 99999 \"1-3 SIGTERM\" echo done");
        QVERIFY(r);
        QCOMPARE(r->seconds, 5u);
        QCOMPARE(r->deaths, uint32_t(kMaxDeaths));
        QCOMPARE(r->exitCodes.count(), size_t(3));
        QVERIFY(r->termSignals.test(15));
        QCOMPARE(r->termSignals.count(), size_t(1));
    }

    void refusedArguments_data() {
        QTest::addColumn<QString>("script");
        QTest::newRow("none") << "#!/bin/sh\nexit 0\n";
        QTest::newRow("comment") << "#!/bin/sh\n# s6-permafailon 60 2 1-255 true\nexit 0\n";
        QTest::newRow("trailing comment") << "exit 0 # s6-permafailon 60 2 1 true\n";
        QTest::newRow("zero deaths") << "s6-permafailon 60 0 1 true";
        QTest::newRow("seconds not digits") << "s6-permafailon 1m 2 1 true";
        QTest::newRow("code too large") << "s6-permafailon 60 2 256 true";
        QTest::newRow("reversed range") << "s6-permafailon 60 2 5-3 true";
        QTest::newRow("open range") << "s6-permafailon 60 2 5- true";
        QTest::newRow("unknown signal") << "s6-permafailon 60 2 SIGNOPE true";
        QTest::newRow("lower-case name") << "s6-permafailon 60 2 segv true";
        QTest::newRow("another program") << "my-s6-permafailon 60 2 1 true";
        QTest::newRow("too few words") << "s6-permafailon 60 2";
    }

    void refusedArguments() {
        QFETCH(QString, script);
        QVERIFY(!parsePermafailon(script.toStdString()));
    }

    void firstValidInvocation() {
        const auto r = parse("s6-permafailon 60 0 1 true\ns6-permafailon 30 4 7 true\n");
        QVERIFY(r);
        QCOMPARE(r->seconds, 30u);
        QCOMPARE(r->deaths, 4u);
        QVERIFY(r->exitCodes.test(7));
    }

    void triggerCountsMatchingDeathsInTheWindow() {
        const PermafailRule twoIn60 = rule("60 2 1-255");
        QVERIFY(permafailTriggered(twoIn60, {death(100, 3), death(101, 3)}));
        QVERIFY(!permafailTriggered(twoIn60, {death(101, 3)}));
        QVERIFY(!permafailTriggered(rule("60 3 1-255"), {death(100, 3), death(101, 3)}));
        // Exit code 0 is not in 1-255.
        QVERIFY(!permafailTriggered(twoIn60, {death(100, 0), death(101, 3)}));
        // The window ends at the newest death: exactly 60 s before it counts, more does not.
        QVERIFY(permafailTriggered(twoIn60, {death(100, 3, 0, 5), death(160, 3, 0, 5)}));
        QVERIFY(!permafailTriggered(twoIn60, {death(100, 3, 0, 4), death(160, 3, 0, 5)}));
        QVERIFY(!permafailTriggered(twoIn60, {}));
    }

    void triggerBySignal() {
        // s6 records a death by SIGKILL as exit code 137 and signal 9.
        const std::vector<Death> killed = {death(100, 137, 9), death(101, 137, 9)};
        QVERIFY(permafailTriggered(rule("60 2 SIGKILL"), killed));
        QVERIFY(permafailTriggered(rule("60 2 137"), killed));
        QVERIFY(permafailTriggered(rule("60 2 1-255"), killed));
        QVERIFY(!permafailTriggered(rule("60 2 SIGTERM"), killed));
        QVERIFY(!permafailTriggered(rule("60 2 1-127"), killed));
    }

    void stoppedOnlyWhenNothingHappenedSince() {
        const PermafailRule r = rule("60 2 1-255");
        const std::vector<Death> deaths = {death(100, 3), death(101, 3)};
        QVERIFY(stoppedByPermafail(downAfter(101), deaths, r));
        // Still wanted up: s6 will start it again.
        QVERIFY(!stoppedByPermafail(downAfter(101, true), deaths, r));
        // Started (or stopped) again since that death.
        QVERIFY(!stoppedByPermafail(downAfter(105), deaths, r));
        // Its finish script still runs.
        SupervisionStatus finishing = downAfter(101);
        finishing.finishing = true;
        finishing.pid = 4242;
        QVERIFY(!stoppedByPermafail(finishing, deaths, r));
        // The rule did not fire at that death.
        QVERIFY(!stoppedByPermafail(downAfter(101), {death(101, 3)}, r));
    }
};

QTEST_GUILESS_MAIN(AgentPermafail)
#include "agent_permafail.moc"

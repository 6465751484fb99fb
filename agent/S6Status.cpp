#include "S6Status.h"

#include "Json.h"

#include <csignal>
#include <ctime>

namespace agent {

namespace {

constexpr uint64_t kTaiBase = uint64_t(1) << 62;
// TAI - UTC since 2017-01-01, as skalibs' leap second table has it.
constexpr int64_t kTaiOffset = 37;

uint64_t beUint(std::string_view bytes, size_t offset, size_t length) {
    uint64_t value = 0;
    for (size_t i = 0; i < length; ++i)
        value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
    return value;
}

Tai64n stampAt(std::string_view bytes, size_t offset) {
    return Tai64n{beUint(bytes, offset, 8), static_cast<uint32_t>(beUint(bytes, offset + 8, 4))};
}

bool exitedNormally(uint16_t wstat) {
    return (wstat & 0x7f) == 0;
}
int exitCodeOf(uint16_t wstat) {
    return (wstat >> 8) & 0xff;
}
int termSignalOf(uint16_t wstat) {
    return wstat & 0x7f;
}
// WIFSIGNALED: neither exited nor stopped (0x7f).
bool signalledOf(uint16_t wstat) {
    return (wstat & 0x7f) != 0 && (wstat & 0x7f) != 0x7f;
}

bool laterThan(const Tai64n &a, const Tai64n &b) {
    return a.label > b.label || (a.label == b.label && a.nano > b.nano);
}

} // namespace

std::optional<SupervisionStatus> parseStatusFile(std::string_view bytes) {
    if (bytes.size() != kStatusSize && bytes.size() != kStatusSizeWithPgid)
        return std::nullopt;
    SupervisionStatus st;
    st.stamp = stampAt(bytes, 0);
    st.readyStamp = stampAt(bytes, 12);
    st.pid = beUint(bytes, 24, 8);
    size_t offset = 32;
    if (bytes.size() == kStatusSizeWithPgid) {
        st.pgid = beUint(bytes, 32, 8);
        offset = 40;
    }
    st.wstat = static_cast<uint16_t>(beUint(bytes, offset, 2));
    const auto flags = static_cast<unsigned char>(bytes[offset + 2]);
    st.paused = flags & 0x01;
    st.finishing = flags & 0x02;
    st.wantUp = flags & 0x04;
    st.ready = flags & 0x08;
    return st;
}

Tai64n taiNow() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return Tai64n{kTaiBase + static_cast<uint64_t>(ts.tv_sec + kTaiOffset),
                  static_cast<uint32_t>(ts.tv_nsec)};
}

uint64_t secondsBetween(const Tai64n &from, const Tai64n &to) {
    if (!laterThan(to, from))
        return 0;
    uint64_t seconds = to.label - from.label;
    if (to.nano < from.nano)
        --seconds;
    return seconds;
}

int64_t unixSeconds(const Tai64n &stamp) {
    return static_cast<int64_t>(stamp.label - kTaiBase) - kTaiOffset;
}

std::string isoUtc(int64_t unixTime) {
    const time_t t = static_cast<time_t>(unixTime);
    tm parts{};
    if (!gmtime_r(&t, &parts))
        return "1970-01-01T00:00:00Z";
    char buffer[40];
    const size_t n = strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return std::string(buffer, n);
}

std::string signalName(int signum) {
    static const char *const names[] = {nullptr, "HUP",  "INT",    "QUIT", "ILL",  "TRAP",   "ABRT",
                                        "BUS",   "FPE",  "KILL",   "USR1", "SEGV", "USR2",   "PIPE",
                                        "ALRM",  "TERM", "STKFLT", "CHLD", "CONT", "STOP",   "TSTP",
                                        "TTIN",  "TTOU", "URG",    "XCPU", "XFSZ", "VTALRM", "PROF",
                                        "WINCH", "IO",   "PWR",    "SYS"};
    if (signum > 0 && signum < static_cast<int>(sizeof names / sizeof names[0]))
        return std::string("SIG") + names[signum];
    return "SIG" + std::to_string(signum);
}

std::string formatSvstat(const SupervisionStatus &st, bool normallyUp, const Tai64n &now,
                         SvstatDialect dialect) {
    const bool up = st.isUp();
    // s6 >= 2.13.2 marks a fresh supervisor's first status with "paused, no pid".
    if (dialect == SvstatDialect::V2_13 && st.pid == 0 && !st.finishing && st.paused)
        return "down (not started yet) ";

    std::string out;
    if (up) {
        out = "up (pid " + std::to_string(st.pid);
        if (dialect == SvstatDialect::V2_13)
            out += " pgid " + std::to_string(st.pgid ? *st.pgid : st.pid);
        out += ") ";
    } else if (signalledOf(st.wstat)) {
        out = "down (signal " + signalName(termSignalOf(st.wstat)) + ") ";
    } else {
        out = "down (exitcode " + std::to_string(exitCodeOf(st.wstat)) + ") ";
    }
    // s6-svstat clamps a future up/down stamp to now, but not the ready stamp.
    out += std::to_string(secondsBetween(st.stamp, now)) + " seconds";
    if (up && !normallyUp)
        out += ", normally down";
    if (!up && normallyUp)
        out += ", normally up";
    if (up && st.paused)
        out += ", paused";
    if (!up && st.wantUp)
        out += ", want up";
    if (up && !st.wantUp)
        out += ", want down";
    if (st.ready)
        out += ", ready " + std::to_string(secondsBetween(st.readyStamp, now)) + " seconds";
    return out;
}

std::string statusJson(std::string_view name, const SupervisionStatus &st, bool normallyUp,
                       const Tai64n &now, SvstatDialect dialect) {
    const bool up = st.isUp();
    std::string out = "{\"name\":";
    appendJsonString(out, name);
    out += ",\"raw\":";
    appendJsonString(out, formatSvstat(st, normallyUp, now, dialect));
    out += ",\"is_up\":";
    out += up ? "true" : "false";
    out += ",\"pid\":";
    out += up ? std::to_string(st.pid) : "null";
    out += ",\"uptime_seconds\":" + std::to_string(secondsBetween(st.stamp, now));
    out += ",\"normally_up\":";
    out += normallyUp ? "true" : "false";
    out += ",\"want_up\":";
    out += st.wantUp ? "true" : "false";
    out += ",\"ready\":";
    out += (st.pid != 0 && st.ready) ? "true" : "false";
    out += ",\"paused\":";
    out += (up && st.paused) ? "true" : "false";
    out += ",\"exit_code\":";
    // A supervisor that never started the service (s6 >= 2.13.2 marks it
    // "paused, no pid") has no exit code to report.
    const bool neverStarted = st.pid == 0 && !st.finishing && st.paused;
    out += (!up && !neverStarted && exitedNormally(st.wstat)) ? std::to_string(exitCodeOf(st.wstat))
                                                              : "null";
    out += ",\"signal\":";
    if (!up && signalledOf(st.wstat))
        appendJsonString(out, signalName(termSignalOf(st.wstat)));
    else
        out += "null";
    out += ",\"since\":";
    const Tai64n since = laterThan(st.stamp, now) ? now : st.stamp;
    appendJsonString(out, isoUtc(unixSeconds(since)));
    out += '}';
    return out;
}

std::string unavailableStatusJson(std::string_view name, std::string_view raw, bool normallyUp) {
    std::string out = "{\"name\":";
    appendJsonString(out, name);
    out += ",\"raw\":";
    appendJsonString(out, raw);
    out += ",\"is_up\":false,\"pid\":null,\"uptime_seconds\":null,\"normally_up\":";
    out += normallyUp ? "true" : "false";
    out += ",\"want_up\":false,\"ready\":false,\"paused\":false,\"exit_code\":null,"
           "\"signal\":null,\"since\":null}";
    return out;
}

} // namespace agent

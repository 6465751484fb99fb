#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agent {

// The two text dialects of `s6-svstat SERVICEDIR`: 2.11 prints `up (pid N)`,
// 2.13 and later print `up (pid N pgid N)` and `down (not started yet) `.
enum class SvstatDialect { V2_11, V2_13 };

// A TAI64N stamp as s6 stores it: label = 2^62 + TAI seconds, plus nanoseconds.
struct Tai64n {
    uint64_t label = 0;
    uint32_t nano = 0;
    bool operator==(const Tai64n &) const = default;
};

// One decoded `supervise/status` file (35 bytes, or 43 in s6 2.13.x).
struct SupervisionStatus {
    Tai64n stamp;      // last up/down transition
    Tai64n readyStamp; // last readiness change
    uint64_t pid = 0;
    std::optional<uint64_t> pgid; // stored only by s6 2.13.x
    uint16_t wstat = 0;
    bool paused = false;
    bool finishing = false;
    bool wantUp = false;
    bool ready = false;

    bool isUp() const { return pid != 0 && !finishing; }
    bool operator==(const SupervisionStatus &) const = default;
};

inline constexpr size_t kStatusSize = 35;
inline constexpr size_t kStatusSizeWithPgid = 43;

// Decodes the bytes of a status file; nullopt for any other size.
std::optional<SupervisionStatus> parseStatusFile(std::string_view bytes);

// Wall-clock time in TAI64N, as s6 computes it (UTC + 37 s since 2017).
Tai64n taiNow();
// Whole seconds from `from` to `to`, 0 when `from` is in the future.
uint64_t secondsBetween(const Tai64n &from, const Tai64n &to);
int64_t unixSeconds(const Tai64n &stamp);
// "2026-11-26T14:03:05Z"
std::string isoUtc(int64_t unixTime);

// The signal's name with the SIG prefix as skalibs prints it ("SIGTERM").
std::string signalName(int signum);

// Exactly what the given s6-svstat dialect prints for this status, without the
// trailing newline. `normallyUp` is "no `down` file", `now` the reading time.
std::string formatSvstat(const SupervisionStatus &status, bool normallyUp, const Tai64n &now,
                         SvstatDialect dialect);

// What s6-svstat prints (to stderr) for a directory without a running
// s6-supervise, around the directory's path. Versions differ (2.11 prints
// "fatal: : unable"), so the agent learns the text once at start.
struct NotRunningText {
    std::string before = "s6-svstat: fatal: unable to read status for ";
    std::string after = ": s6-supervise not running";
};

// The agent's Status JSON object (field order fixed by the API contract).
std::string statusJson(std::string_view name, const SupervisionStatus &status, bool normallyUp,
                       const Tai64n &now, SvstatDialect dialect);
// The Status object for a service whose status cannot be read; `raw` says why.
std::string unavailableStatusJson(std::string_view name, std::string_view raw, bool normallyUp);

} // namespace agent

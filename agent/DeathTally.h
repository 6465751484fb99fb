#pragma once

#include "S6Status.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agent {

// One record of `supervise/death_tally`, as s6-supervise (2.11) writes it:
// a packed TAI64N stamp (12 bytes), then the exit code byte (128 + signal for
// a signalled death, as a shell reports it) and the signal byte (0 for an exit).
struct Death {
    Tai64n stamp;
    uint8_t exitCode = 0;
    uint8_t signal = 0;
    bool operator==(const Death &) const = default;
};

inline constexpr size_t kDeathRecordSize = 14;
// s6's bound on `max-death-tally`; the file never holds more records than that.
inline constexpr size_t kMaxDeaths = 4096;
inline constexpr size_t kMaxDeathTallySize = kDeathRecordSize * kMaxDeaths;

// Decodes a whole death_tally, oldest first as stored. nullopt when it is not
// whole records, holds more than kMaxDeaths, or a stamp is not a TAI64N one
// (label outside [2^62, 2^63), nanoseconds past 999999999).
std::optional<std::vector<Death>> parseDeathTally(std::string_view bytes);

// {"time":"<ISO 8601 UTC>","exit_code":<int or null>,"signal":"<SIGNAME>" or null}
std::string deathJson(const Death &death);

// Deaths whose age at `now` is under `seconds` whole seconds (a stamp in the
// future, after the clock was set back, counts as now).
size_t deathsWithin(const std::vector<Death> &deaths, const Tai64n &now, uint64_t seconds);
// deathsWithin 60 and 3600 seconds.
size_t deathsLastMinute(const std::vector<Death> &deaths, const Tai64n &now);
size_t deathsLastHour(const std::vector<Death> &deaths, const Tai64n &now);

// `,"deaths_last_minute":N,"last_death":{...}|null,"deaths_last_hour":M` for
// the end of a Status object; all null when the tally could not be read
// (`deaths` is nullptr).
std::string deathFieldsJson(const std::vector<Death> *deaths, const Tai64n &now);

} // namespace agent

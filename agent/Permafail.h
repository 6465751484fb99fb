#pragma once

#include "DeathTally.h"
#include "S6Status.h"

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace agent {

// `s6-permafailon SECONDS DEATHCOUNT STATUSLIST prog...` in a service's
// `finish` script: when the death tally holds DEATHCOUNT deaths of the last
// SECONDS whose exit code or signal is in STATUSLIST, it exits 125, and
// s6-supervise then stops restarting the service (it clears "want up", as
// `s6-svc -O` does). The status file records nothing else: a service stopped
// that way looks exactly like one stopped with `s6-svc -d`, so the agent tells
// them apart by applying the same rule to the same tally.
struct PermafailRule {
    uint32_t seconds = 0;
    uint32_t deaths = 1;
    std::bitset<256> exitCodes; // s6 stores 128 + N as the exit code of a death by signal N
    std::bitset<65> termSignals;
    bool operator==(const PermafailRule &) const = default;
};

// The first `s6-permafailon` of a finish script (sh or execline, a word of its
// own, or ending in `/s6-permafailon`) whose three arguments s6-permafailon
// accepts: SECONDS digits, DEATHCOUNT digits and not 0, STATUSLIST items
// separated by `,`, `;` or blanks, each an exit code (0-255), a range `A-B` of
// them, or a signal name (`SIGTERM`, `TERM`, any case). '#' at the start of a
// word starts a comment, surrounding quotes are removed. nullopt when there is
// none.
std::optional<PermafailRule> parsePermafailon(std::string_view finishScript);

// Whether s6-permafailon with this rule, run by the finish script right after
// the newest death of `deaths` (oldest first, as stored), exited 125.
bool permafailTriggered(const PermafailRule &rule, const std::vector<Death> &deaths);

// Whether s6-permafailon took the service down: it is down with its finish
// script done, not wanted up, nothing happened since its newest death (s6
// stamps that death and the status with the same time), and the rule fired
// at that death.
bool stoppedByPermafail(const SupervisionStatus &status, const std::vector<Death> &deaths,
                        const PermafailRule &rule);

} // namespace agent

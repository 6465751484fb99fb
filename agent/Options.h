#pragma once

#include "S6Status.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace agent {

struct Options {
    std::string socketPath = "/var/run/agent/s6_agent.sock";
    std::string scanDir = "/run/service";
    std::string logDir = "/var/log";
    std::string rcSourceDir = "/etc/s6-overlay/s6-rc.d";
    int idleTimeoutSeconds = 60;
    size_t eventsBacklogBytes = 1024 * 1024; // a /events subscriber further behind is dropped
    std::optional<SvstatDialect> dialect;    // unset: ask the installed s6-svstat
    bool help = false;
    bool version = false;
};

// Parses the command line (`--flag value` or `--flag=value`). Returns false
// with a one-line `error` for an unknown flag, a missing or bad value.
bool parseOptions(const std::vector<std::string> &args, Options &options, std::string &error);

const char *usageText();

// Learns the installed s6-svstat's text dialect once, at start-up: its usage
// line lists the `pgid` field from s6 2.13 on. Without s6-svstat the newest
// dialect is assumed.
SvstatDialect detectSvstatDialect(std::string *note);
// Asks s6-svstat once about an empty temporary directory; defaults when it cannot.
NotRunningText learnNotRunningText();

} // namespace agent

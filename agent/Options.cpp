#include "Options.h"

#include "ChildRunner.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace agent {

const char *usageText() {
    return "Usage: s6-agent [OPTIONS]\n"
           "Serves the s6 services of this container over HTTP/1.1 on a Unix socket.\n"
           "\n"
           "  --socket PATH        socket to listen on (default /var/run/agent/s6_agent.sock;\n"
           "                       parent directory created, stale socket replaced, mode 0660)\n"
           "  --scandir DIR        s6 scan directory (default /run/service)\n"
           "  --logdir DIR         s6-log directories, <DIR>/<service>/current (default /var/log)\n"
           "  --rc-source DIR      service definitions with run scripts\n"
           "                       (default /etc/s6-overlay/s6-rc.d)\n"
           "  --idle-timeout SECS  close idle connections after SECS seconds (default 60)\n"
           "  --events-backlog N  drop a /events subscriber with more than N bytes unsent\n"
           "                       (default 1048576)\n"
           "  --svstat-dialect V   format statuses like s6-svstat 2.11 or 2.13 (2.13 and later);\n"
           "                       default: ask the installed s6-svstat once at start\n"
           "  --help               show this help and exit\n"
           "  --version            show the version and exit\n";
}

bool parseOptions(const std::vector<std::string> &args, Options &options, std::string &error) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::optional<std::string> inlineValue;
        if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            inlineValue = flag.substr(eq + 1);
            flag.resize(eq);
        }
        if (flag == "--help" || flag == "-h") {
            options.help = true;
            continue;
        }
        if (flag == "--version") {
            options.version = true;
            continue;
        }
        auto value = [&](std::string &out) {
            if (inlineValue) {
                out = *inlineValue;
            } else if (i + 1 < args.size()) {
                out = args[++i];
            } else {
                error = "option " + flag + " needs a value";
                return false;
            }
            if (out.empty()) {
                error = "option " + flag + " needs a non-empty value";
                return false;
            }
            return true;
        };
        std::string text;
        if (flag == "--socket") {
            if (!value(options.socketPath))
                return false;
        } else if (flag == "--scandir") {
            if (!value(options.scanDir))
                return false;
        } else if (flag == "--logdir") {
            if (!value(options.logDir))
                return false;
        } else if (flag == "--rc-source") {
            if (!value(options.rcSourceDir))
                return false;
        } else if (flag == "--idle-timeout") {
            if (!value(text))
                return false;
            if (text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos ||
                std::stoi(text) < 1) {
                error = "option --idle-timeout needs a whole number of seconds >= 1";
                return false;
            }
            options.idleTimeoutSeconds = std::stoi(text);
        } else if (flag == "--events-backlog") {
            if (!value(text))
                return false;
            if (text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos ||
                std::stoull(text) < 1024) {
                error = "option --events-backlog needs a whole number of bytes >= 1024";
                return false;
            }
            options.eventsBacklogBytes = std::stoull(text);
        } else if (flag == "--svstat-dialect") {
            if (!value(text))
                return false;
            if (text == "2.11")
                options.dialect = SvstatDialect::V2_11;
            else if (text == "2.13")
                options.dialect = SvstatDialect::V2_13;
            else {
                error = "option --svstat-dialect must be 2.11 or 2.13";
                return false;
            }
        } else {
            error = "unknown option " + args[i] + " (try --help)";
            return false;
        }
    }
    return true;
}

SvstatDialect detectSvstatDialect(std::string *note) {
    // With no service directory s6-svstat prints its usage and exits 100.
    const auto result = ChildRunner::runBlocking({"s6-svstat"});
    if (result.output.find("s6-svstat") == std::string::npos) {
        if (note)
            *note = "s6-svstat not found; formatting statuses like s6 2.13 and later";
        return SvstatDialect::V2_13;
    }
    return result.output.find("pgid") != std::string::npos ? SvstatDialect::V2_13
                                                           : SvstatDialect::V2_11;
}

} // namespace agent

namespace agent {

NotRunningText learnNotRunningText() {
    NotRunningText text;
    char dir[] = "/tmp/s6-agent-probe.XXXXXX";
    if (!::mkdtemp(dir))
        return text;
    const auto result = ChildRunner::runBlocking({"s6-svstat", dir});
    ::rmdir(dir);
    std::string out = result.output;
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    const size_t at = out.find(dir);
    if (result.exitCode == 1 && at != std::string::npos && out.find('\n') == std::string::npos) {
        text.before = out.substr(0, at);
        text.after = out.substr(at + std::strlen(dir));
    }
    return text;
}

} // namespace agent

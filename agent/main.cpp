// s6-agent: the in-container HTTP API over s6 (see agent-api.md). One thread,
// one epoll loop; signals arrive through a signalfd.

#include "Api.h"
#include "ChildRunner.h"
#include "EventHub.h"
#include "EventLoop.h"
#include "Inotify.h"
#include "Options.h"
#include "Server.h"
#include "Services.h"

#include <csignal>
#include <cstdio>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#ifndef SM_VERSION
#define SM_VERSION "0.0.0"
#endif

int main(int argc, char **argv) {
    agent::Options options;
    std::string error;
    if (!agent::parseOptions(std::vector<std::string>(argv + 1, argv + argc), options, error)) {
        std::fprintf(stderr, "s6-agent: %s\n", error.c_str());
        return 2;
    }
    if (options.help) {
        std::fputs(agent::usageText(), stdout);
        return 0;
    }
    if (options.version) {
        std::printf("s6-agent %s\n", SM_VERSION);
        return 0;
    }

    // Block the signals the loop reads, before any child exists.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // Nothing to reload: `s6-svc -h` must not end the agent without its clean-up.
    std::signal(SIGHUP, SIG_IGN);

    std::string note;
    const agent::SvstatDialect dialect =
        options.dialect ? *options.dialect : agent::detectSvstatDialect(&note);
    if (!note.empty())
        std::fprintf(stderr, "s6-agent: %s\n", note.c_str());

    agent::EventLoop loop;
    const int sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (!loop.isValid() || sigfd < 0) {
        std::fprintf(stderr, "s6-agent: cannot set up the event loop\n");
        return 1;
    }
    agent::ChildRunner children(loop);
    agent::Services services(options.scanDir, options.logDir, options.rcSourceDir);
    agent::Api api(loop, services, children, dialect, SM_VERSION);
    api.setNotRunningText(agent::learnNotRunningText());
    // File changes come from the kernel: log followers and /events wake only when
    // something happened, and no timer runs while nothing does.
    agent::Inotify inotify(loop);
    if (!inotify.isValid())
        std::fprintf(stderr, "s6-agent: no inotify; log followers poll once a second\n");
    else
        api.setInotify(&inotify);
    agent::EventHub::Limits eventLimits;
    eventLimits.maxBacklog = options.eventsBacklogBytes;
    agent::EventHub events(loop, inotify, services, api, eventLimits);
    api.setEventHub(&events);
    agent::Server server(loop, api, agent::Server::Limits{64, options.idleTimeoutSeconds});
    if (!server.listen(options.socketPath, 0660, error)) {
        std::fprintf(stderr, "s6-agent: %s\n", error.c_str());
        ::close(sigfd);
        return 1;
    }

    loop.add(sigfd, EPOLLIN, [&](uint32_t) {
        signalfd_siginfo info;
        while (::read(sigfd, &info, sizeof info) == sizeof info) {
            if (info.ssi_signo == SIGCHLD)
                children.reap();
            else
                loop.stop();
        }
    });

    std::fprintf(stderr, "s6-agent %s: serving %s on %s (s6-svstat dialect %s)\n", SM_VERSION,
                 options.scanDir.c_str(), options.socketPath.c_str(),
                 dialect == agent::SvstatDialect::V2_11 ? "2.11" : "2.13+");
    const bool ok = loop.run();
    loop.remove(sigfd);
    ::close(sigfd);
    return ok ? 0 : 1;
}

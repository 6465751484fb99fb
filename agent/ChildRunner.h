#pragma once

#include "EventLoop.h"

#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace agent {

// Runs helper programs (s6-rc, s6-svstat) as children without blocking the
// loop: stdout+stderr come back through a pipe watched by the loop, the exit
// through SIGCHLD (the owner calls reap()). A child past its deadline is killed.
class ChildRunner final {
public:
    struct Result {
        int exitCode = -1; // -1 when killed by a signal or not started
        std::string output;
    };
    using Callback = std::function<void(const Result &)>;

    explicit ChildRunner(EventLoop &loop)
        : m_loop(loop) {}
    ~ChildRunner();
    ChildRunner(const ChildRunner &) = delete;
    ChildRunner &operator=(const ChildRunner &) = delete;

    // Starts argv[0] (looked up in PATH); false when it cannot be started.
    bool spawn(const std::vector<std::string> &argv, Callback callback, int timeoutSeconds = 60);
    void reap();           // on SIGCHLD
    void tick(time_t now); // enforces deadlines (run by a timer armed at each spawn)
    size_t running() const { return m_children.size(); }

    // Runs a program to completion synchronously; for start-up only.
    static Result runBlocking(const std::vector<std::string> &argv);

private:
    struct Child {
        int pipeFd = -1;
        bool exited = false;
        int exitCode = -1;
        time_t deadline = 0;
        std::string output;
        Callback callback;
    };
    void onReadable(pid_t pid);
    void finishIfDone(pid_t pid);

    EventLoop &m_loop;
    std::map<pid_t, Child> m_children;
};

// posix_spawnp with stdin from /dev/null and stdout+stderr into `outFd`, the
// signal mask and dispositions reset. Returns the pid, or -1.
pid_t spawnWithOutput(const std::vector<std::string> &argv, int outFd);

} // namespace agent

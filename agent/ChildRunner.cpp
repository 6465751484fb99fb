#include "ChildRunner.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace agent {

namespace {
constexpr size_t kMaxOutput = 64 * 1024;
}

pid_t spawnWithOutput(const std::vector<std::string> &argv, int outFd) {
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, outFd, 1);
    posix_spawn_file_actions_adddup2(&actions, outFd, 2);

    // The agent blocks the signals it reads through signalfd; children must not inherit that.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGCHLD, SIGHUP})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    pid_t pid = -1;
    if (posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return pid;
}

ChildRunner::~ChildRunner() {
    for (auto &[pid, child] : m_children) {
        ::kill(pid, SIGKILL);
        if (child.pipeFd >= 0) {
            m_loop.remove(child.pipeFd);
            ::close(child.pipeFd);
        }
        ::waitpid(pid, nullptr, 0);
    }
}

bool ChildRunner::spawn(const std::vector<std::string> &argv, Callback callback,
                        int timeoutSeconds) {
    int fds[2];
    if (argv.empty() || pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    const pid_t pid = spawnWithOutput(argv, fds[1]);
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return false;
    }
    Child &child = m_children[pid];
    child.pipeFd = fds[0];
    child.deadline = time(nullptr) + timeoutSeconds;
    child.callback = std::move(callback);
    m_loop.add(fds[0], EPOLLIN, [this, pid](uint32_t) { onReadable(pid); });
    // A timer per child rather than a periodic tick: an agent with nothing to do sleeps.
    m_loop.after((timeoutSeconds + 1) * 1000, [this] { tick(time(nullptr)); });
    return true;
}

void ChildRunner::onReadable(pid_t pid) {
    const auto it = m_children.find(pid);
    if (it == m_children.end())
        return;
    Child &child = it->second;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(child.pipeFd, buffer, sizeof buffer);
        if (n > 0) {
            const size_t room = kMaxOutput - std::min(kMaxOutput, child.output.size());
            child.output.append(buffer, std::min(room, static_cast<size_t>(n)));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        break; // EOF or error: the pipe is done
    }
    m_loop.remove(child.pipeFd);
    ::close(child.pipeFd);
    child.pipeFd = -1;
    finishIfDone(pid);
}

void ChildRunner::reap() {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return;
        const auto it = m_children.find(pid);
        if (it == m_children.end())
            continue;
        it->second.exited = true;
        it->second.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        finishIfDone(pid);
    }
}

void ChildRunner::tick(time_t now) {
    for (auto &[pid, child] : m_children)
        if (!child.exited && now > child.deadline)
            ::kill(pid, SIGKILL);
}

void ChildRunner::finishIfDone(pid_t pid) {
    const auto it = m_children.find(pid);
    if (it == m_children.end() || !it->second.exited || it->second.pipeFd >= 0)
        return;
    Child child = std::move(it->second);
    m_children.erase(it);
    // Deferred, so a callback that starts another child never runs inside reap().
    m_loop.post([child = std::move(child)] {
        child.callback(Result{child.exitCode, child.output});
    });
}

ChildRunner::Result ChildRunner::runBlocking(const std::vector<std::string> &argv) {
    Result result;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return result;
    const pid_t pid = spawnWithOutput(argv, fds[1]);
    ::close(fds[1]);
    if (pid > 0) {
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
            if (n > 0 && result.output.size() < kMaxOutput)
                result.output.append(buffer, static_cast<size_t>(n));
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    ::close(fds[0]);
    return result;
}

} // namespace agent

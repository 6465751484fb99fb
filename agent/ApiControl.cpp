#include "Api.h"

#include "ControlAction.h"
#include "Json.h"

namespace agent {

namespace {

// How long a control reply waits for s6-supervise to act on the command, so
// that a status read right after the reply already shows the change.
constexpr int kAckPollMs = 5;
constexpr int kAckAttempts = 200; // 1 s

std::string firstLine(const std::string &text) {
    const size_t nl = text.find('\n');
    return text.substr(0, nl);
}

} // namespace

void Api::control(const std::string &name, const std::string &body, Reply reply) {
    if (!m_services.exists(name))
        return reply(errorResponse(404, "Service " + name + " does not exist."));
    JsonObject object;
    std::string error;
    if (!parseJsonObject(body, object, error))
        return reply(errorResponse(422, "Invalid JSON body: " + error));
    const auto action = object.strings.find("action");
    if (action == object.strings.end() || !isControlAction(action->second))
        return reply(
            errorResponse(422, "The body needs \"action\": \"up\", \"down\" or \"restart\"."));
    if (m_services.isS6rcManaged(name))
        return controlS6rc(name, action->second, std::move(reply));
    controlClassic(name, action->second, std::move(reply));
}

void Api::controlClassic(const std::string &name, const std::string &action, Reply reply) {
    SupervisionStatus before;
    const auto read = m_services.readStatus(name, before);
    if (read == Services::StatusRead::NotSupervised)
        return reply(errorResponse(
            409, "Service " + name + " is not supervised: no s6-supervise is running for it."));
    const bool wasUp = read == Services::StatusRead::Ok && before.isUp();
    char command = action == "up" ? 'u' : action == "down" ? 'd' : (wasUp ? 'r' : 'u');
    switch (m_services.sendControl(name, command)) {
    case Services::ControlResult::Ok:
        break;
    case Services::ControlResult::NotSupervised:
        return reply(errorResponse(
            409, "Service " + name + " is not supervised: no s6-supervise is running for it."));
    case Services::ControlResult::Failed:
        return reply(
            errorResponse(500, "Could not send the command to the supervisor of " + name + "."));
    }
    const std::string effective = command == 'r' ? "restart" : command == 'u' ? "up" : "down";
    awaitSupervisor(
        name, effective, read == Services::StatusRead::Ok ? before.pid : 0, kAckAttempts,
        [reply, name, action](bool confirmed) { reply(controlOk(name, action, confirmed)); });
}

void Api::awaitSupervisor(const std::string &name, const std::string &action, uint64_t oldPid,
                          int attemptsLeft, std::function<void(bool)> confirmed) {
    SupervisionStatus now;
    if (attemptsLeft <= 0 || m_services.readStatus(name, now) != Services::StatusRead::Ok)
        return confirmed(false); // the command was sent; s6-supervise was not seen acting
    bool done = false;
    if (action == "up")
        done = now.isUp();
    else if (action == "down")
        done = !now.isUp();
    else
        done = now.pid != oldPid;
    if (done)
        return confirmed(true);
    m_loop.after(kAckPollMs, [this, name, action, oldPid, attemptsLeft, confirmed] {
        awaitSupervisor(name, action, oldPid, attemptsLeft - 1, confirmed);
    });
}

void Api::controlS6rc(const std::string &name, const std::string &action, Reply reply) {
    // s6-rc takes the lock on the live state and may wait for dependencies:
    // always a child process, never in the loop.
    auto run = [this, name, reply](const char *direction, std::function<void()> next) {
        const bool started = m_children.spawn(
            {"s6-rc", direction, "change", name},
            [name, reply, next](const ChildRunner::Result &result) {
                if (result.exitCode != 0)
                    return reply(
                        errorResponse(500, "s6-rc could not change " + name + ": " +
                                               (result.output.empty()
                                                    ? "exit code " + std::to_string(result.exitCode)
                                                    : firstLine(result.output))));
                next();
            });
        if (!started)
            reply(errorResponse(500, "s6-rc could not be started for " + name + "."));
    };
    auto ok = [reply, name, action] { reply(controlOk(name, action)); };
    if (action == "up")
        return run("-u", ok);
    if (action == "down")
        return run("-d", ok);
    run("-d", [run, ok] { run("-u", ok); });
}

} // namespace agent

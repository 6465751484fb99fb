#include "monitor/StatusMonitor.h"

#include "backend/Backend.h"
#include "monitor/DockerEventFollower.h"
#include "monitor/StatusDiff.h"

#include <algorithm>

namespace sm {

namespace {

// A crash loop counted from deaths ends when they age out of the minute, and no agent pushes
// time passing: while one lasts, its agent is polled too, so that its end shows.
bool crashLoopEndsWithTime(const QList<ServiceStatus> &statuses) {
    return std::any_of(statuses.cbegin(), statuses.cend(), [](const ServiceStatus &s) {
        return s.deathsLastMinute && s.crashLooping();
    });
}

} // namespace

StatusMonitor::StatusMonitor(Backend *backend, const QStringList &containers, DockerClient *docker,
                             Settings settings, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_settings(settings) {
    m_settings.pollIntervalMs = qMax(m_settings.pollIntervalMs, 10);
    for (const QString &name : containers) {
        auto agent = std::make_unique<Agent>();
        agent->container = name;
        agent->timer.setSingleShot(true);
        Agent *raw = agent.get();
        connect(&agent->timer, &QTimer::timeout, this, [this, raw] {
            if (raw->inflight) {
                // The answer was lost: give up on it (deleting its context drops it for good)
                // so the cycle goes on.
                raw->inflight.reset();
                onStatuses(raw, false, {});
                return;
            }
            poll(raw);
        });
        agent->retry.setSingleShot(true);
        connect(&agent->retry, &QTimer::timeout, this, [this, raw] { subscribe(raw); });
        m_agents.push_back(std::move(agent));
    }
    if (docker) {
        m_docker = new DockerEventFollower(
            docker, {settings.dockerRetryInitialMs, settings.dockerRetryMaxMs}, this);
        connect(m_docker, &DockerEventFollower::containerEvent, this, &StatusMonitor::dockerEvent);
        connect(m_docker, &DockerEventFollower::connectedChanged, this,
                &StatusMonitor::dockerConnectedChanged);
    }
}

StatusMonitor::~StatusMonitor() {
    stop();
}

void StatusMonitor::start() {
    if (m_running)
        return;
    m_running = true;
    for (const auto &agent : m_agents)
        subscribe(agent.get());
    if (m_docker)
        m_docker->start();
}

void StatusMonitor::stop() {
    m_running = false;
    for (const auto &agent : m_agents) {
        agent->timer.stop();
        agent->retry.stop();
        agent->inflight.reset();
        agent->feed.reset();
        agent->pushed = false;
    }
    if (m_docker)
        m_docker->stop();
}

QList<ServiceStatus> StatusMonitor::services() const {
    QList<ServiceStatus> all;
    for (const auto &agent : m_agents)
        all.append(agent->statuses);
    return all;
}

QList<QPair<QString, bool>> StatusMonitor::agents() const {
    QList<QPair<QString, bool>> known;
    for (const auto &agent : m_agents) {
        if (agent->reachable)
            known.append({agent->container, *agent->reachable});
    }
    return known;
}

bool StatusMonitor::dockerConnected() const {
    return m_docker && m_docker->isConnected();
}

int StatusMonitor::dockerAttempts() const {
    return m_docker ? m_docker->attempts() : 0;
}

int StatusMonitor::pollsCompleted(const QString &container) const {
    for (const auto &agent : m_agents) {
        if (agent->container == container)
            return agent->polls;
    }
    return 0;
}

bool StatusMonitor::isPushed(const QString &container) const {
    for (const auto &agent : m_agents) {
        if (agent->container == container)
            return agent->pushed;
    }
    return false;
}

void StatusMonitor::subscribe(Agent *agent) {
    if (!m_running || m_backend.isNull())
        return;
    if (m_settings.push && !agent->pollOnly)
        agent->feed.reset(m_backend->watchServices(agent->container));
    if (!agent->feed) {
        agent->pollOnly = true; // this backend cannot push: poll
        poll(agent);
        return;
    }
    ServiceFeed *feed = agent->feed.get();
    connect(feed, &ServiceFeed::opened, this, [this, agent] {
        agent->pushed = true;
        // What changed while nobody listened, and services that went meanwhile.
        poll(agent);
    });
    connect(feed, &ServiceFeed::changed, this,
            [this, agent](const ServiceStatus &status) { onPushed(agent, status); });
    connect(feed, &ServiceFeed::removed, this,
            [this, agent](const QString &service) { onPushedRemoval(agent, service); });
    connect(feed, &ServiceFeed::finished, this,
            [this, agent](const ApiError &error) { onFeedEnded(agent, error); });
}

void StatusMonitor::onPushed(Agent *agent, const ServiceStatus &status) {
    // The backoff starts again only once the agent sends events (its subscription begins with
    // its services' states), not on the headers alone: one that answers them and then hangs
    // is retried less and less often, not every few seconds.
    agent->retryMs = 0;
    if (agent->reachable != true) {
        agent->reachable = true;
        Q_EMIT agentReachabilityChanged(agent->container, true);
    }
    for (ServiceStatus &known : agent->statuses) {
        if (known.service != status.service)
            continue;
        const bool changed = !sameServiceState(known, status);
        known = status;
        if (changed)
            Q_EMIT serviceChanged(status);
        watchCrashLoops(agent);
        return;
    }
    agent->statuses.append(status);
    Q_EMIT serviceChanged(status);
    watchCrashLoops(agent);
}

void StatusMonitor::watchCrashLoops(Agent *agent) {
    if (m_running && agent->pushed && !agent->inflight && !agent->timer.isActive() &&
        crashLoopEndsWithTime(agent->statuses))
        agent->timer.start(m_settings.pollIntervalMs);
}

void StatusMonitor::onPushedRemoval(Agent *agent, const QString &service) {
    const auto gone = std::remove_if(agent->statuses.begin(), agent->statuses.end(),
                                     [&](const ServiceStatus &s) { return s.service == service; });
    if (gone == agent->statuses.end())
        return;
    agent->statuses.erase(gone, agent->statuses.end());
    Q_EMIT serviceRemoved(agent->container, service);
}

void StatusMonitor::onFeedEnded(Agent *agent, const ApiError &error) {
    // The feed may be the caller of this slot: delete it once the stack unwinds.
    agent->feed.release()->deleteLater();
    agent->pushed = false;
    if (error.status == 404) {
        agent->pollOnly = true; // an agent without /events: poll it from now on
        poll(agent);
        return;
    }
    agent->inflight.reset();
    agent->retryMs = agent->retryMs == 0 ? m_settings.agentRetryInitialMs
                                         : qMin(agent->retryMs * 2, m_settings.agentRetryMaxMs);
    if (m_running)
        agent->retry.start(agent->retryMs); // first, so that onStatuses() schedules no poll
    onStatuses(agent, false, {});
}

void StatusMonitor::poll(Agent *agent) {
    if (!m_running || m_backend.isNull() || agent->inflight)
        return;
    agent->inflight = std::make_unique<QObject>();
    agent->started.start();
    // Until the answer comes, the timer is the watchdog; the answer re-arms it for the next poll.
    agent->timer.start(m_settings.pollWatchdogMs);
    QObject *context = agent->inflight.get();
    m_backend->statuses(context, agent->container,
                        [this, agent, context](Result<QList<ServiceStatus>> result) {
                            if (agent->inflight.get() != context)
                                return; // an abandoned poll's late answer
                            if (result.ok())
                                onStatuses(agent, true, std::move(result.value()));
                            else
                                onStatuses(agent, false, {});
                        });
}

void StatusMonitor::onStatuses(Agent *agent, bool ok, QList<ServiceStatus> statuses) {
    // The context may be the caller of this callback: delete it once the stack unwinds.
    if (agent->inflight)
        agent->inflight.release()->deleteLater();
    ++agent->polls;

    if (ok) {
        for (ServiceStatus &status : statuses) {
            if (status.container.isEmpty())
                status.container = agent->container;
            if (status.service.isEmpty())
                status.service = status.name;
        }
        const StatusDiff diff = diffStatuses(agent->statuses, statuses);
        agent->statuses = std::move(statuses);
        if (agent->reachable != true) {
            agent->reachable = true;
            Q_EMIT agentReachabilityChanged(agent->container, true);
        }
        for (const QString &service : diff.removed)
            Q_EMIT serviceRemoved(agent->container, service);
        for (const ServiceStatus &status : diff.changed)
            Q_EMIT serviceChanged(status);
    } else {
        // What an unreachable agent last said is no longer the truth: forget it, so that its
        // services come back as changes when it answers again.
        agent->statuses.clear();
        if (agent->reachable != false) {
            agent->reachable = false;
            Q_EMIT agentReachabilityChanged(agent->container, false);
        }
    }
    scheduleNext(agent);
}

void StatusMonitor::scheduleNext(Agent *agent) {
    if (!m_running)
        return;
    // A pushed agent is asked again only when its subscription opens anew, or while one of its
    // services is in a crash loop; one that is being resubscribed waits for its retry. Either
    // way the poll's watchdog is done.
    if (agent->pushed || agent->feed || agent->retry.isActive()) {
        if (agent->pushed && crashLoopEndsWithTime(agent->statuses))
            agent->timer.start(m_settings.pollIntervalMs);
        else
            agent->timer.stop();
        return;
    }
    // Polls start one interval apart; a poll that took longer is followed at once.
    const qint64 spent = agent->started.isValid() ? agent->started.elapsed() : 0;
    agent->timer.start(int(qMax<qint64>(0, m_settings.pollIntervalMs - spent)));
}

} // namespace sm

#pragma once

#include "async/Async.h"
#include "model/Types.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace sm {

class Backend;
class DockerClient;
class DockerEventFollower;

// Keeps the latest state of every configured container's services and of its agent, and tells
// when it changes, so that clients see a crash loop without asking. Each agent's states are
// pushed by the agent itself (Backend::watchServices, the agent's GET /events): one poll when
// the subscription opens reconciles what was missed, then nothing is asked until the agent
// goes away, when the subscription is retried with backoff, or while one of its services is
// in a crash loop (which ends when its deaths age out, and time passing is never pushed). An
// agent without /events (an older one) is polled on its own cycle instead (one poll at a time
// per agent; a slow agent delays only itself). Docker container events are followed as the
// Engine reports them.
class StatusMonitor final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusMonitor)
public:
    struct Settings {
        int pollIntervalMs = 1000; // monitor.poll_interval_ms
        bool push = true;          // monitor.push: subscribe to agents that can push
        // A poll whose answer got lost is abandoned after this long; the Backend has its own,
        // shorter deadline, so this only keeps the cycle alive.
        int pollWatchdogMs = 30000;
        int dockerRetryInitialMs = 250;
        int dockerRetryMaxMs = 5000;
        // Resubscribing to an agent that went away: first after this, doubling up to the max.
        int agentRetryInitialMs = 250;
        int agentRetryMaxMs = 5000;
    };

    // `docker` may be null (no Docker on this host). Neither is owned.
    StatusMonitor(Backend *backend, const QStringList &containers, DockerClient *docker,
                  Settings settings, QObject *parent = nullptr);
    ~StatusMonitor() override;

    void start();
    void stop();
    bool isRunning() const { return m_running; }

    // The latest known statuses: containers in config order, services in the agent's order.
    QList<ServiceStatus> services() const;
    // Agents whose reachability is known yet, in config order.
    QList<QPair<QString, bool>> agents() const;
    bool dockerConnected() const;
    int dockerAttempts() const; // /events subscriptions opened so far
    int pollsCompleted(const QString &container) const;
    // Whether the agent's states are pushed right now (false while polled or unreachable).
    bool isPushed(const QString &container) const;

Q_SIGNALS:
    void serviceChanged(const sm::ServiceStatus &status);
    void serviceRemoved(const QString &container, const QString &service);
    void agentReachabilityChanged(const QString &container, bool reachable);
    void dockerEvent(const sm::DockerEvent &event);
    void dockerConnectedChanged(bool connected);

private:
    struct Agent {
        QString container;
        QTimer timer;
        std::unique_ptr<QObject> inflight; // context of the poll under way; deleting cancels
        QElapsedTimer started;
        std::optional<bool> reachable;
        QList<ServiceStatus> statuses;
        int polls = 0;
        std::unique_ptr<ServiceFeed> feed; // the agent's pushed states, when it has /events
        bool pushed = false;               // the feed is open
        bool pollOnly = false;             // the agent has no /events
        QTimer retry;                      // resubscribes after the agent went away
        int retryMs = 0;
    };

    void subscribe(Agent *agent);
    void onPushed(Agent *agent, const ServiceStatus &status);
    // Polls a pushed agent while a crash loop of its services may end with time alone.
    void watchCrashLoops(Agent *agent);
    void onPushedRemoval(Agent *agent, const QString &service);
    void onFeedEnded(Agent *agent, const ApiError &error);
    void poll(Agent *agent);
    void onStatuses(Agent *agent, bool ok, QList<ServiceStatus> statuses);
    void scheduleNext(Agent *agent);

    QPointer<Backend> m_backend;
    Settings m_settings;
    std::vector<std::unique_ptr<Agent>> m_agents;
    DockerEventFollower *m_docker = nullptr;
    bool m_running = false;
};

} // namespace sm

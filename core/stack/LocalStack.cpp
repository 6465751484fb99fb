#include "LocalStack.h"

#include "backend/LocalBackend.h"
#include "docker/DockerClient.h"
#include "history/HistoryStore.h"
#include "monitor/HistoryRecorder.h"
#include "monitor/StatusMonitor.h"

#include <QPointer>

namespace sm {

LocalStack::LocalStack(const SystemConfig &config, QObject *parent)
    : QObject(parent)
    , m_docker(std::make_unique<DockerClient>(config.docker.socketPath)) {
    // Docker calls get the same deadline as agent calls, so they end in a clean 504 before
    // the REST watchdog has to step in.
    m_docker->setReadTimeoutMs(config.api.requestTimeoutMs);
    if (!config.history.stateDir.isEmpty()) {
        HistorySettings history;
        history.dir = config.history.stateDir;
        history.retentionDays = config.history.retentionDays;
        history.maxEvents = config.history.maxEvents;
        history.maxAudit = config.history.maxAudit;
        m_history = std::make_unique<HistoryStore>(history);
    }
    m_backend = std::make_unique<LocalBackend>(config, m_docker.get());
    m_backend->setHistory(m_history.get());
    StatusMonitor::Settings settings;
    settings.pollIntervalMs = config.monitor.pollIntervalMs;
    settings.push = config.monitor.push;
    QStringList names;
    for (const ContainerConfig &c : config.containers)
        names.append(c.name);
    m_monitor = std::make_unique<StatusMonitor>(m_backend.get(), names, m_docker.get(), settings);
    feed(m_backend.get(), m_monitor.get());
    if (m_history)
        m_recorder = std::make_unique<HistoryRecorder>(m_backend.get(), m_history.get());
}

LocalStack::~LocalStack() {
    m_recorder.reset();
    m_monitor.reset();
    m_backend.reset();
    m_history.reset(); // writes what is pending
    m_docker.reset();
}

void LocalStack::start() {
    if (m_history)
        m_history->start();
    m_monitor->start();
    m_backend->setLive(true); // the monitor's changes, pushed or polled, arrive as signals
}

void LocalStack::feed(Backend *backend, StatusMonitor *monitor) {
    QObject::connect(monitor, &StatusMonitor::serviceChanged, backend, &Backend::serviceChanged);
    QObject::connect(monitor, &StatusMonitor::serviceRemoved, backend, &Backend::serviceRemoved);
    QObject::connect(monitor, &StatusMonitor::agentReachabilityChanged, backend,
                     &Backend::agentReachabilityChanged);
    QObject::connect(monitor, &StatusMonitor::dockerEvent, backend, &Backend::dockerEvent);
    backend->setLiveSnapshot([source = QPointer<StatusMonitor>(monitor)] {
        LiveSnapshot snapshot;
        if (source) {
            snapshot.agents = source->agents();
            snapshot.services = source->services();
        }
        return snapshot;
    });
}

} // namespace sm

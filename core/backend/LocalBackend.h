#pragma once

#include "backend/Backend.h"
#include "config/SystemConfig.h"

namespace sm {

class AgentClient;
class AgentPool;
class DockerClient;
class HistoryStore;

// The Backend of this host: the configured containers' s6-agents (through an AgentPool) and,
// when a DockerClient is given, the Docker Engine. Labels come from config. Every callback
// runs later through the event loop, and only while its context lives.
class LocalBackend final : public Backend {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalBackend)
public:
    // docker may be null (no Docker support); it is not owned and must outlive this backend.
    explicit LocalBackend(const SystemConfig &config, DockerClient *docker = nullptr,
                          QObject *parent = nullptr);
    ~LocalBackend() override;

    const SystemConfig &config() const { return m_config; }
    AgentPool *agents() const { return m_agents; }
    DockerClient *docker() const { return m_docker; }

    void containers(QObject *context, Callback<QList<ContainerInfo>> done) override;
    void services(QObject *context, const QString &container,
                  Callback<QList<ServiceInfo>> done) override;
    void statuses(QObject *context, const QString &container,
                  Callback<QList<ServiceStatus>> done) override;
    void status(QObject *context, const QString &container, const QString &service,
                Callback<ServiceStatus> done) override;
    void statusesJson(QObject *context, const QString &container,
                      Callback<StatusJson> done) override;
    void statusJson(QObject *context, const QString &container, const QString &service,
                    Callback<StatusJson> done) override;
    void control(QObject *context, const QString &container, const QString &service,
                 const QString &action, Callback<ControlResult> done) override;
    void logs(QObject *context, const QString &container, const QString &service,
              const LogQuery &query, Callback<LogChunk> done) override;
    void deaths(QObject *context, const QString &container, const QString &service,
                Callback<ServiceDeaths> done) override;
    void runScript(QObject *context, const QString &container, const QString &service,
                   Callback<RunScript> done) override;
    void setRunScript(QObject *context, const QString &container, const QString &service,
                      const QString &content, Callback<RunScript> done) override;
    void clearLogs(QObject *context, const QString &container, const QString &service,
                   Callback<LogsCleared> done) override;
    LogStream *followLogs(const QString &container, const QString &service, int tail) override;
    ServiceFeed *watchServices(const QString &container) override;

    // Defined in LocalBackendDocker.cpp.
    void dockerContainers(QObject *context, bool all,
                          Callback<QList<DockerContainer>> done) override;
    void dockerStatus(QObject *context, const QString &name, Callback<DockerStatus> done) override;
    void dockerControl(QObject *context, const QString &name, const QString &action,
                       int timeoutSeconds, Callback<DockerControlResult> done) override;
    void dockerLogs(QObject *context, const QString &name, int tail,
                    Callback<DockerLogs> done) override;
    LogStream *followDockerLogs(const QString &name, int tail) override;

    // Agents pinged in parallel with a short deadline, plus the Docker Engine's availability
    // and the history store's condition.
    void health(QObject *context, Callback<Health> done) override;

    // Where history() and audit() read, and what health() reports; null: no history kept.
    void setHistory(HistoryStore *store) { m_history = store; }
    HistoryStore *historyStore() const { return m_history; }
    void history(QObject *context, const HistoryQuery &query,
                 Callback<QList<HistoryEvent>> done) override;
    void audit(QObject *context, const AuditQuery &query,
               Callback<QList<AuditEntry>> done) override;

    // Deadline of one health ping.
    static constexpr int healthTimeoutMs = 1000;

private:
    // The container's agent, or null after answering done with 404 (later).
    template <typename T>
    AgentClient *agentFor(QObject *context, const QString &container, const Callback<T> &done);
    QString labelFor(const QString &container, const QString &service) const;
    // Whether the Engine answers; defined in LocalBackendDocker.cpp.
    void dockerAvailable(QObject *context, std::function<void(bool)> done);

    SystemConfig m_config;
    AgentPool *m_agents;
    DockerClient *m_docker;            // not owned
    HistoryStore *m_history = nullptr; // not owned
};

} // namespace sm

#include "LocalBackend.h"

#include "agents/AgentClient.h"
#include "agents/AgentPool.h"
#include "history/HistoryStore.h"
#include "rules/Rules.h"

namespace sm {

LocalBackend::LocalBackend(const SystemConfig &config, DockerClient *docker, QObject *parent)
    : Backend(parent)
    , m_config(config)
    , m_agents(new AgentPool(config.containerInfos(), config.api.requestTimeoutMs, this))
    , m_docker(docker) {}

LocalBackend::~LocalBackend() = default;

template <typename T>
AgentClient *LocalBackend::agentFor(QObject *context, const QString &container,
                                    const Callback<T> &done) {
    if (AgentClient *agent = m_agents->agent(container))
        return agent;
    later(context, [done, container] {
        done(ApiError::notFound(QStringLiteral("Container '%1' not found").arg(container)));
    });
    return nullptr;
}

QString LocalBackend::labelFor(const QString &container, const QString &service) const {
    const ContainerConfig *c = m_config.container(container);
    return c ? c->labelFor(service) : service;
}

void LocalBackend::containers(QObject *context, Callback<QList<ContainerInfo>> done) {
    later(context, [done = std::move(done), list = m_config.containerInfos()] { done(list); });
}

void LocalBackend::services(QObject *context, const QString &container,
                            Callback<QList<ServiceInfo>> done) {
    AgentClient *agent = agentFor(context, container, done);
    if (!agent)
        return;
    const ContainerConfig config = *m_config.container(container);
    agent->services(context, [config, done = std::move(done)](Result<QStringList> ids) {
        if (!ids.ok())
            return done(ids.error());
        QList<ServiceInfo> out;
        for (const QString &id : ids.value())
            out.append({id, config.labelFor(id)});
        done(out);
    });
}

void LocalBackend::statuses(QObject *context, const QString &container,
                            Callback<QList<ServiceStatus>> done) {
    AgentClient *agent = agentFor(context, container, done);
    if (!agent)
        return;
    const ContainerConfig config = *m_config.container(container);
    agent->statuses(context, [config, done = std::move(done)](Result<QList<ServiceStatus>> list) {
        if (list.ok()) {
            for (ServiceStatus &s : list.value())
                s.serviceLabel = config.labelFor(s.service);
        }
        done(std::move(list));
    });
}

void LocalBackend::status(QObject *context, const QString &container, const QString &service,
                          Callback<ServiceStatus> done) {
    AgentClient *agent = agentFor(context, container, done);
    if (!agent)
        return;
    agent->status(
        context, service,
        [label = labelFor(container, service), done = std::move(done)](Result<ServiceStatus> s) {
            if (s.ok())
                s.value().serviceLabel = label;
            done(std::move(s));
        });
}

void LocalBackend::statusesJson(QObject *context, const QString &container,
                                Callback<StatusJson> done) {
    AgentClient *agent = agentFor(context, container, done);
    if (!agent)
        return;
    agent->statusesJson(
        context,
        [config = *m_config.container(container)](const QString &s) { return config.labelFor(s); },
        std::move(done));
}

void LocalBackend::statusJson(QObject *context, const QString &container, const QString &service,
                              Callback<StatusJson> done) {
    AgentClient *agent = agentFor(context, container, done);
    if (!agent)
        return;
    agent->statusJson(context, service, labelFor(container, service), std::move(done));
}

void LocalBackend::control(QObject *context, const QString &container, const QString &service,
                           const QString &action, Callback<ControlResult> done) {
    AgentClient *agent = agentFor(context, container, done);
    if (!agent)
        return;
    if (!parseServiceAction(action)) {
        later(context, [done, action] {
            done(ApiError::unprocessable(QStringLiteral("Invalid action '%1': expected %2")
                                             .arg(action, choiceList(serviceActionNames())),
                                         QStringLiteral("action")));
        });
        return;
    }
    Q_EMIT controlSent(container, service, action, true);
    agent->control(context, service, action,
                   [this, container, service, action, done](Result<ControlResult> r) {
                       if (!r.ok())
                           Q_EMIT controlSent(container, service, action, false);
                       done(std::move(r));
                   });
}

void LocalBackend::logs(QObject *context, const QString &container, const QString &service,
                        const LogQuery &query, Callback<LogChunk> done) {
    if (AgentClient *agent = agentFor(context, container, done))
        agent->logs(context, service, query, std::move(done));
}

void LocalBackend::deaths(QObject *context, const QString &container, const QString &service,
                          Callback<ServiceDeaths> done) {
    if (AgentClient *agent = agentFor(context, container, done))
        agent->deaths(context, service, std::move(done));
}

void LocalBackend::runScript(QObject *context, const QString &container, const QString &service,
                             Callback<RunScript> done) {
    if (AgentClient *agent = agentFor(context, container, done))
        agent->runScript(context, service, std::move(done));
}

void LocalBackend::setRunScript(QObject *context, const QString &container, const QString &service,
                                const QString &content, Callback<RunScript> done) {
    if (AgentClient *agent = agentFor(context, container, done))
        agent->setRunScript(context, service, content, std::move(done));
}

void LocalBackend::clearLogs(QObject *context, const QString &container, const QString &service,
                             Callback<LogsCleared> done) {
    if (AgentClient *agent = agentFor(context, container, done))
        agent->clearLogs(context, service, std::move(done));
}

LogStream *LocalBackend::followLogs(const QString &container, const QString &service, int tail) {
    AgentClient *agent = m_agents->agent(container);
    if (!agent)
        return failedStream(
            ApiError::notFound(QStringLiteral("Container '%1' not found").arg(container)));
    return agent->followLogs(service, tail);
}

ServiceFeed *LocalBackend::watchServices(const QString &container) {
    AgentClient *agent = m_agents->agent(container);
    if (!agent)
        return nullptr;
    return agent->watchServices([config = *m_config.container(container)](ServiceStatus &s) {
        s.serviceLabel = config.labelFor(s.service);
    });
}

void LocalBackend::health(QObject *context, Callback<Health> done) {
    // The exposure warning is the REST layer's to add: only it knows where it listens.
    Health initial;
    if (m_history)
        initial.history = m_history->health();
    const QList<AgentClient *> &agents = m_agents->agents();
    for (AgentClient *agent : agents)
        initial.agents.append({agent->container(), false});
    // One step per agent ping, one for Docker.
    auto gather =
        Gather<Health>::start(context, int(agents.size()) + 1, std::move(initial), std::move(done));
    for (int i = 0; i < agents.size(); ++i) {
        // `this` as context: the answer is gathered here even if the caller leaves early.
        agents[i]->ping(this, qMin(healthTimeoutMs, m_config.api.requestTimeoutMs),
                        [gather, i](Result<QString> version) {
                            gather->value().agents[i].second = version.ok();
                            gather->stepDone();
                        });
    }
    dockerAvailable(this, [gather](bool available) {
        gather->value().dockerAvailable = available;
        gather->stepDone();
    });
}

void LocalBackend::history(QObject *context, const HistoryQuery &query,
                           Callback<QList<HistoryEvent>> done) {
    if (!m_history)
        return Backend::history(context, query, std::move(done));
    m_history->events(context, query, std::move(done));
}

void LocalBackend::audit(QObject *context, const AuditQuery &query,
                         Callback<QList<AuditEntry>> done) {
    if (!m_history)
        return Backend::audit(context, query, std::move(done));
    m_history->audit(context, query, std::move(done));
}

} // namespace sm

#include "AgentPool.h"

namespace sm {

AgentPool::AgentPool(const QList<ContainerInfo> &containers, int timeoutMs, QObject *parent)
    : QObject(parent) {
    for (const ContainerInfo &c : containers)
        m_agents.append(new AgentClient(c.name, c.socketPath, timeoutMs, this));
}

AgentPool::~AgentPool() = default;

AgentClient *AgentPool::agent(const QString &container) const {
    for (AgentClient *a : m_agents) {
        if (a->container() == container)
            return a;
    }
    return nullptr;
}

} // namespace sm

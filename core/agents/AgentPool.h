#pragma once

#include "agents/AgentClient.h"
#include "config/SystemConfig.h"

#include <QObject>

namespace sm {

// One AgentClient per configured container, in config order.
class AgentPool final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentPool)
public:
    AgentPool(const QList<ContainerInfo> &containers, int timeoutMs, QObject *parent = nullptr);
    ~AgentPool() override;

    // nullptr for a container that is not configured.
    AgentClient *agent(const QString &container) const;
    const QList<AgentClient *> &agents() const { return m_agents; }

private:
    QList<AgentClient *> m_agents;
};

} // namespace sm

#pragma once

#include "RobotLink.h"

#include <QColor>
#include <QList>
#include <QObject>

namespace sm {

// The robots of a fleet file (or of the Connect dialog), each with a link of its own.
class Fleet final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Fleet)
public:
    explicit Fleet(const QList<FleetRobot> &robots, QObject *parent = nullptr);
    ~Fleet() override;

    // Connects every robot at once; none waits for another.
    void start();
    void setRequestTimeout(int ms);
    void refresh();

    int size() const { return int(m_links.size()); }
    RobotLink *at(int index) const { return m_links.at(index); }
    int indexOf(const QString &name) const;

Q_SIGNALS:
    void robotChanged(int index);
    void robotContainersChanged(int index);

private:
    QList<RobotLink *> m_links;
};

// What the fleet views say of a robot's state: "all 9 up", "1 crash loop, 2 down", ...
QString fleetSummary(const RobotLink &robot);
QString linkWord(RobotLink::Link link);
QColor linkColor(RobotLink::Link link);

} // namespace sm

#pragma once

#include "ServiceState.h"
#include "config/FleetFile.h"
#include "model/ApiError.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace sm {

class Backend;
class RemoteBackend;

// One robot of a fleet: its own connection to the robot's daemon (a RemoteBackend of its own,
// so a hung or unreachable robot delays nobody else) and the summary the fleet views show,
// kept current from the daemon's /events. The window borrows backend() when the robot is
// selected.
class RobotLink final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RobotLink)
public:
    enum class Link { Connecting, Up, Down, NoToken };
    // Every service in one bucket. Down is down while wanted up (or an old agent's down, which
    // does not say); stopped is down on purpose (s6-svc -d, a down file), which is no alarm.
    enum class Bucket { Up, Down, Stopped, CrashLoop, Failed };
    static Bucket bucketOf(const ServiceStatus &status);
    static QString bucketWord(Bucket bucket);
    struct Counts {
        int up = 0;
        int down = 0;
        int stopped = 0;
        int crashLoop = 0;
        int failed = 0;
        int agentsDown = 0; // containers whose agent does not answer: their services unknown
        int total() const { return up + down + stopped + crashLoop + failed; }
        bool operator==(const Counts &) const = default;
    };
    struct LastEvent {
        QDateTime at;
        QString text; // "demo/crashy: crash loop"
        bool operator==(const LastEvent &) const = default;
    };

    explicit RobotLink(FleetRobot robot, QObject *parent = nullptr);
    ~RobotLink() override;

    // Reads the token file, then connects. Without a readable token the robot shows NoToken
    // and tries again at each poll. While the link is down or refused, the file is read again
    // at each poll (and at refresh()), so a rotated token is picked up.
    void start();
    // Reads the summary again now (Refresh); nothing while the link is down.
    void refresh();
    // The request deadline of the robot's backend (a hung daemon shows as down after it).
    void setRequestTimeout(int ms);
    // How often the summary is read again while /events is not flowing (default 5 s).
    void setPollInterval(int ms) { m_poll.setInterval(ms); }

    const FleetRobot &robot() const { return m_robot; }
    Backend *backend() const;
    Link link() const { return m_link; }
    QString linkText() const { return m_linkText; }
    Counts counts() const;
    // The robot's containers in its daemon's order, and whether each agent answers.
    QStringList containers() const { return m_containers; }
    std::optional<bool> agentReachable(const QString &container) const;
    std::optional<bool> dockerAvailable() const { return m_docker; }
    LastEvent lastEvent() const { return m_last; }
    // Whether the summary has been read at least once since the link came up.
    bool isLoaded() const { return m_loaded; }
    // Why the last read of the summary failed (e.g. a refused token), empty when it did not.
    QString readError() const { return m_readError; }

Q_SIGNALS:
    // The link, counts or last event changed.
    void changed();
    // The list of containers (or Docker's presence) changed.
    void containersChanged();

private:
    void setLink(Link link, const QString &text);
    std::optional<QString> readToken();
    void reloadToken();
    void noteReadError(const ApiError &error);
    void reconcile();
    void readStatuses(const QStringList &containers, quint64 generation);
    void setStatuses(const QString &container, const QList<ServiceStatus> &statuses);
    void onServiceChanged(const ServiceStatus &status);
    void onServiceRemoved(const QString &container, const QString &service);
    void noteEvent(const QString &text, const QDateTime &at = QDateTime::currentDateTime());

    FleetRobot m_robot;
    RemoteBackend *m_backend = nullptr;
    QString m_token;
    QString m_readError;
    bool m_denied = false; // the daemon refused the token (401, 403)
    QSet<QString> m_heard; // "container/service" that /events spoke of since the last read
    int m_timeoutMs = 10000;
    Link m_link = Link::Connecting;
    QString m_linkText;
    QStringList m_containers;
    QHash<QString, bool> m_reachable;
    std::optional<bool> m_docker;
    QHash<QString, QHash<QString, Bucket>> m_states; // container → service → bucket
    LastEvent m_last;
    QTimer m_poll;
    quint64 m_generation = 0;
    bool m_loaded = false;
};

} // namespace sm

#include "RobotLink.h"

#include "backend/RemoteBackend.h"
#include "config/TokenFile.h"

namespace sm {

RobotLink::RobotLink(FleetRobot robot, QObject *parent)
    : QObject(parent)
    , m_robot(std::move(robot))
    , m_linkText(tr("connecting…")) {
    m_poll.setInterval(5000);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (!m_backend)
            return start(); // the token file may be there by now
        // A link that is down, or refused, may be waiting for a rotated token.
        if (m_link != Link::Up || m_denied)
            reloadToken();
        // While /events flows the summary follows it; otherwise it is read again.
        if (m_backend->isConnected() && !m_backend->isLive())
            reconcile();
    });
}

RobotLink::~RobotLink() = default;

Backend *RobotLink::backend() const {
    return m_backend;
}

void RobotLink::setRequestTimeout(int ms) {
    m_timeoutMs = ms;
    if (m_backend)
        m_backend->setRequestTimeout(ms);
}

std::optional<QString> RobotLink::readToken() {
    if (m_robot.tokenFile.isEmpty())
        return QString();
    const TokenRead read = readTokenFile(m_robot.tokenFile);
    if (!read.error.isEmpty()) {
        if (!m_backend)
            setLink(Link::NoToken, read.error);
        return std::nullopt;
    }
    return read.token;
}

void RobotLink::reloadToken() {
    if (!m_backend || m_robot.tokenFile.isEmpty())
        return;
    const std::optional<QString> token = readToken();
    if (!token || *token == m_token)
        return;
    m_token = *token;
    m_backend->setToken(m_token);
    if (m_backend->isConnected())
        reconcile();
}

void RobotLink::start() {
    m_poll.start();
    if (m_backend)
        return;
    const std::optional<QString> token = readToken();
    if (!token)
        return; // tried again at each poll
    m_token = *token;
    m_backend = new RemoteBackend(m_robot.url, m_token, this);
    m_backend->setRequestTimeout(m_timeoutMs);
    connect(m_backend, &Backend::connectionChanged, this,
            [this](bool connected, const QString &description) {
                setLink(connected ? Link::Up : Link::Down,
                        connected ? m_robot.url.toString() : description);
                if (connected)
                    reconcile();
            });
    connect(m_backend, &Backend::liveChanged, this, [this](bool live) {
        // Back on /events after a break: what was missed may include removals.
        if (live && m_backend->isConnected())
            reconcile();
    });
    connect(m_backend, &Backend::serviceChanged, this, &RobotLink::onServiceChanged);
    connect(m_backend, &Backend::serviceRemoved, this, &RobotLink::onServiceRemoved);
    connect(m_backend, &Backend::agentReachabilityChanged, this,
            [this](const QString &container, bool reachable) {
                if (m_reachable.value(container, !reachable) == reachable)
                    return;
                m_reachable.insert(container, reachable);
                if (!reachable)
                    m_states.remove(container);
                noteEvent(reachable ? tr("%1: agent reachable").arg(container)
                                    : tr("%1: agent unreachable").arg(container));
                Q_EMIT containersChanged();
            });
    connect(m_backend, &Backend::dockerEvent, this, [this](const DockerEvent &event) {
        noteEvent(tr("Docker %1: %2").arg(event.container, event.action));
    });
    m_backend->start();
}

void RobotLink::refresh() {
    if (!m_backend)
        return start();
    reloadToken();
    if (m_backend->isConnected())
        reconcile();
}

void RobotLink::setLink(Link link, const QString &text) {
    if (m_link == link && m_linkText == text)
        return;
    m_link = link;
    m_linkText = text;
    if (link != Link::Up)
        m_loaded = false;
    Q_EMIT changed();
}

void RobotLink::reconcile() {
    const quint64 generation = ++m_generation;
    m_heard.clear();
    m_backend->health(this, [this, generation](Result<Health> r) {
        if (generation != m_generation)
            return;
        if (!r.ok())
            return noteReadError(r.error());
        QStringList containers;
        QHash<QString, bool> reachable;
        for (const auto &[name, up] : r.value().agents) {
            containers.append(name);
            reachable.insert(name, up);
        }
        const bool listChanged = containers != m_containers || m_reachable != reachable ||
                                 m_docker != r.value().dockerAvailable;
        m_containers = containers;
        m_reachable = reachable;
        m_docker = r.value().dockerAvailable;
        if (listChanged)
            Q_EMIT containersChanged();
        QStringList readable;
        for (const QString &c : containers)
            if (reachable.value(c))
                readable.append(c);
        readStatuses(readable, generation);
    });
    if (!m_last.at.isValid()) {
        HistoryQuery query;
        query.limit = 1;
        m_backend->history(this, query, [this](Result<QList<HistoryEvent>> r) {
            if (!r.ok() || r.value().isEmpty())
                return; // a daemon without history: the last event is the next one seen
            const HistoryEvent &e = r.value().constFirst();
            const QString where =
                e.source == QLatin1String("docker") ? tr("Docker %1").arg(e.container)
                : e.service.isEmpty()               ? e.container
                                      : QStringLiteral("%1/%2").arg(e.container, e.service);
            const QDateTime at = QDateTime::fromMSecsSinceEpoch(e.timeMs);
            if (!m_last.at.isValid() || m_last.at < at)
                noteEvent(QStringLiteral("%1: %2").arg(where, e.kind), at);
        });
    }
}

void RobotLink::readStatuses(const QStringList &containers, quint64 generation) {
    // Containers no longer listed, or whose agent is away, have no known services.
    for (auto it = m_states.begin(); it != m_states.end();) {
        if (containers.contains(it.key()))
            ++it;
        else
            it = m_states.erase(it);
    }
    // Loaded once every container's read has answered (with none, on the next turn).
    auto gather = Gather<bool>::start(this, int(containers.size()), true, [this, generation](bool) {
        if (generation != m_generation)
            return;
        m_loaded = true;
        Q_EMIT changed();
    });
    for (const QString &container : containers) {
        m_backend->statuses(this, container,
                            [this, container, generation, gather](Result<QList<ServiceStatus>> r) {
                                if (generation == m_generation) {
                                    if (r.ok())
                                        setStatuses(container, r.value());
                                    else
                                        noteReadError(r.error());
                                    Q_EMIT changed();
                                }
                                gather->stepDone();
                            });
    }
}

void RobotLink::setStatuses(const QString &container, const QList<ServiceStatus> &statuses) {
    m_readError.clear();
    m_denied = false;
    QHash<QString, Bucket> states;
    for (const ServiceStatus &s : statuses)
        states.insert(s.service, bucketOf(s));
    // /events may have spoken of a service since this read was asked for: that is newer.
    const QHash<QString, Bucket> known = m_states.value(container);
    for (const QString &key : std::as_const(m_heard)) {
        if (key.section(u'/', 0, 0) != container)
            continue;
        const QString service = key.section(u'/', 1);
        if (const auto it = known.constFind(service); it != known.constEnd())
            states.insert(service, *it);
        else
            states.remove(service);
    }
    m_states.insert(container, states);
}

void RobotLink::noteReadError(const ApiError &error) {
    m_readError = error.message;
    m_denied = error.status == 401 || error.status == 403;
    if (m_denied)
        reloadToken();
    Q_EMIT changed();
}

void RobotLink::onServiceChanged(const ServiceStatus &status) {
    const Bucket bucket = bucketOf(status);
    m_heard.insert(status.container + u'/' + status.service);
    QHash<QString, Bucket> &states = m_states[status.container];
    const auto known = states.constFind(status.service);
    if (known != states.constEnd() && *known == bucket)
        return;
    const bool seenBefore = known != states.constEnd();
    states.insert(status.service, bucket);
    // The first sight of a service (the stream's opening snapshot) is its state, not news.
    if (seenBefore)
        noteEvent(
            QStringLiteral("%1/%2: %3").arg(status.container, status.service, bucketWord(bucket)));
    else
        Q_EMIT changed();
}

void RobotLink::onServiceRemoved(const QString &container, const QString &service) {
    m_heard.insert(container + u'/' + service);
    auto it = m_states.find(container);
    if (it == m_states.end() || !it->remove(service))
        return;
    noteEvent(tr("%1/%2: removed").arg(container, service));
}

void RobotLink::noteEvent(const QString &text, const QDateTime &at) {
    m_last = {at, text};
    Q_EMIT changed();
}

RobotLink::Bucket RobotLink::bucketOf(const ServiceStatus &status) {
    switch (serviceBadge(status)) {
    case BadgeState::Failed:
        return Bucket::Failed;
    case BadgeState::CrashLoop:
        return Bucket::CrashLoop;
    case BadgeState::Up:
    case BadgeState::Paused:
        return Bucket::Up;
    default:
        return status.wantUp.value_or(true) ? Bucket::Down : Bucket::Stopped;
    }
}

QString RobotLink::bucketWord(Bucket bucket) {
    switch (bucket) {
    case Bucket::Up:
        return tr("up");
    case Bucket::Down:
        return tr("down");
    case Bucket::Stopped:
        return tr("stopped");
    case Bucket::CrashLoop:
        return tr("crash loop");
    case Bucket::Failed:
        return tr("failed");
    }
    return {};
}

RobotLink::Counts RobotLink::counts() const {
    Counts c;
    for (const auto &services : m_states) {
        for (const Bucket bucket : services) {
            switch (bucket) {
            case Bucket::Up:
                ++c.up;
                break;
            case Bucket::Down:
                ++c.down;
                break;
            case Bucket::Stopped:
                ++c.stopped;
                break;
            case Bucket::CrashLoop:
                ++c.crashLoop;
                break;
            case Bucket::Failed:
                ++c.failed;
                break;
            }
        }
    }
    for (const bool reachable : m_reachable)
        c.agentsDown += reachable ? 0 : 1;
    return c;
}

std::optional<bool> RobotLink::agentReachable(const QString &container) const {
    const auto it = m_reachable.constFind(container);
    return it == m_reachable.constEnd() ? std::nullopt : std::optional<bool>(*it);
}

} // namespace sm

#include "DockerState.h"

#include "backend/Backend.h"

namespace sm {

DockerState::DockerState(Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend) {
    connect(backend, &Backend::dockerEvent, this, &DockerState::onEvent);
}

DockerState::~DockerState() = default;

void DockerState::setUp(bool up) {
    if (up == m_up)
        return;
    m_up = up;
    m_running.clear();
    m_sinceListing.clear();
    m_listing.reset();
    if (!up)
        return;
    // Events missed while the stream was closed are not replayed: start from a list.
    m_listing = std::make_unique<QObject>();
    QObject *context = m_listing.get();
    m_backend->dockerContainers(context, true,
                                [this, context](const Result<QList<DockerContainer>> &result) {
                                    if (m_listing.get() != context)
                                        return;
                                    // The context may be this callback's caller.
                                    m_listing.release()->deleteLater();
                                    onList(result.ok() ? result.value() : QList<DockerContainer>{});
                                });
}

void DockerState::onList(const QList<DockerContainer> &containers) {
    QMap<QString, bool> listed;
    for (const DockerContainer &c : containers)
        listed.insert(c.name, c.status == u"running");
    // What events said meanwhile is at least as new as the list, wherever the list was taken.
    const QList<DockerEvent> since = std::exchange(m_sinceListing, {});
    // A failed list keeps what the events said; the next time the stream opens, it lists again.
    for (auto it = listed.cbegin(); it != listed.cend(); ++it)
        m_running.insert(it.key(), it.value());
    for (const DockerEvent &event : since)
        apply(event);
}

void DockerState::onEvent(const DockerEvent &event) {
    if (m_listing)
        m_sinceListing.append(event);
    apply(event);
}

void DockerState::apply(const DockerEvent &event) {
    // The container actions that change whether it runs; `kill` may be survived, and `die`
    // follows whatever ends it (stop, kill, oom).
    const QString &action = event.action;
    if (action == u"start" || action == u"restart" || action == u"unpause")
        m_running.insert(event.container, true);
    else if (action == u"die" || action == u"stop" || action == u"pause")
        m_running.insert(event.container, false);
    else if (action == u"create")
        m_running.insert(event.container, m_running.value(event.container, false));
    else if (action == u"destroy")
        m_running.remove(event.container);
}

} // namespace sm

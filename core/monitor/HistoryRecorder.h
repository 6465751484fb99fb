#pragma once

#include "model/History.h"
#include "model/Types.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace sm {

class Backend;
class HistoryStore;

// Turns the live updates of a Backend into history events: a service up, down (stopped),
// died (with its exit code or signal), restarted (the death a requested restart caused), ready,
// entering and leaving a crash loop, failed, removed; an agent reachable or not; each Docker
// container event. A service's first status is only remembered: the history says what changed, and
// the daemon did not see it change.
class HistoryRecorder final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryRecorder)
public:
    // Neither is owned; the recorder stops when either goes.
    HistoryRecorder(Backend *backend, HistoryStore *store, QObject *parent = nullptr);

    // The events one status change makes (public for its unit test). `restartAskedMs`: when
    // a restart of this service was last sent, if lately; the death after it is its doing.
    static QList<HistoryEvent> changes(const ServiceStatus &before, const ServiceStatus &after,
                                       std::optional<qint64> restartAskedMs = std::nullopt);

private:
    void onService(const ServiceStatus &status);
    void onRemoved(const QString &container, const QString &service);
    void onAgent(const QString &container, bool reachable);
    void onDocker(const DockerEvent &event);
    void onControl(const QString &container, const QString &service, const QString &action,
                   bool sent);

    QPointer<HistoryStore> m_store;
    QHash<QString, ServiceStatus> m_last;  // "<container>/<service>"
    QHash<QString, qint64> m_restartAsked; // when a restart was sent, until its death is seen
};

} // namespace sm

#pragma once

#include "model/Types.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <memory>

namespace sm {

class Backend;

// What /metrics says of Docker, from what the daemon learns anyway, so that a scrape never
// calls Docker: whether the Engine's event stream is open (the daemon's monitor follows it and
// tells setUp()), and which containers run: one list each time the stream opens, then the
// Backend's dockerEvent signals. While Docker is down nothing is known of its containers.
class DockerState final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockerState)
public:
    explicit DockerState(Backend *backend, QObject *parent = nullptr);
    ~DockerState() override;

    bool isUp() const { return m_up; }
    // Container name → running, by name.
    const QMap<QString, bool> &running() const { return m_running; }

    // The Engine's event stream opened (true) or ended (false).
    void setUp(bool up);

private:
    void onEvent(const DockerEvent &event);
    void apply(const DockerEvent &event);
    void onList(const QList<DockerContainer> &containers);

    Backend *m_backend;
    bool m_up = false;
    QMap<QString, bool> m_running;
    // The list under way (deleting its context drops its answer), and the events that came
    // meanwhile: the list may predate them, so they are applied again over its answer.
    std::unique_ptr<QObject> m_listing;
    QList<DockerEvent> m_sinceListing;
};

} // namespace sm

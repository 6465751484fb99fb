#pragma once

#include "model/ApiError.h"
#include "model/Types.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace sm {

class DockerClient;
class DockerEventReader;

// Follows the Engine's /events for as long as it runs: when Docker restarts, or its socket
// appears only after we started, the stream is opened again with a growing delay (reset once
// the Engine accepts a subscription), so a missing Docker costs one attempt every few seconds.
class DockerEventFollower final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockerEventFollower)
public:
    struct Backoff {
        int initialMs = 250;
        int maxMs = 5000;
    };

    DockerEventFollower(DockerClient *client, Backoff backoff, QObject *parent = nullptr);
    ~DockerEventFollower() override;

    void start();
    void stop();
    bool isConnected() const { return m_connected; }
    int attempts() const { return m_attempts; } // subscriptions opened so far

Q_SIGNALS:
    void containerEvent(const sm::DockerEvent &event);
    void connectedChanged(bool connected);

private:
    void open();
    void onFinished(const ApiError &error);
    void setConnected(bool connected);

    QPointer<DockerClient> m_client;
    Backoff m_backoff;
    DockerEventReader *m_reader = nullptr;
    QTimer m_retry;
    int m_delayMs;
    int m_attempts = 0;
    bool m_running = false;
    bool m_connected = false;
};

} // namespace sm

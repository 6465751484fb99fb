#include "monitor/DockerEventFollower.h"

#include "docker/DockerClient.h"
#include "docker/DockerStreams.h"

namespace sm {

DockerEventFollower::DockerEventFollower(DockerClient *client, Backoff backoff, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_backoff(backoff)
    , m_delayMs(backoff.initialMs) {
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &DockerEventFollower::open);
}

DockerEventFollower::~DockerEventFollower() {
    delete m_reader;
}

void DockerEventFollower::start() {
    if (m_running)
        return;
    m_running = true;
    m_delayMs = m_backoff.initialMs;
    open();
}

void DockerEventFollower::stop() {
    m_running = false;
    m_retry.stop();
    delete m_reader; // closes the connection to the Engine
    m_reader = nullptr;
    setConnected(false);
}

void DockerEventFollower::open() {
    if (!m_running || m_client.isNull() || m_reader)
        return;
    ++m_attempts;
    m_reader = m_client->events();
    connect(m_reader, &DockerEventReader::connected, this, [this] {
        m_delayMs = m_backoff.initialMs;
        setConnected(true);
    });
    connect(m_reader, &DockerEventReader::containerEvent, this,
            &DockerEventFollower::containerEvent);
    connect(m_reader, &DockerEventReader::finished, this, &DockerEventFollower::onFinished);
}

void DockerEventFollower::onFinished(const ApiError &) {
    // The reader reports its end from inside its own code: delete it later, not here.
    if (m_reader)
        m_reader->deleteLater();
    m_reader = nullptr;
    setConnected(false);
    if (!m_running)
        return;
    m_retry.start(m_delayMs);
    m_delayMs = qMin(m_delayMs * 2, m_backoff.maxMs);
}

void DockerEventFollower::setConnected(bool connected) {
    if (m_connected == connected)
        return;
    m_connected = connected;
    Q_EMIT connectedChanged(connected);
}

} // namespace sm

#pragma once

#include "config/SystemConfig.h"

#include <QObject>

#include <memory>

namespace sm {

class Backend;
class DockerClient;
class HistoryRecorder;
class HistoryStore;
class LocalBackend;
class StatusMonitor;

// This host's stack, the one the daemon serves and the dashboard's local mode shows: the
// Docker client, the LocalBackend over the configured agents, the StatusMonitor whose
// changes the backend emits as its live signals (and whose state is its live snapshot), and,
// with a state directory, the history store those changes are recorded in.
class LocalStack final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalStack)
public:
    explicit LocalStack(const SystemConfig &config, QObject *parent = nullptr);
    // Users go before what they use: the monitor calls the backend, which calls Docker.
    ~LocalStack() override;

    LocalBackend *backend() const { return m_backend.get(); }
    DockerClient *docker() const { return m_docker.get(); }
    StatusMonitor *monitor() const { return m_monitor.get(); }
    HistoryStore *history() const { return m_history.get(); } // null without state.dir

    // Starts the live updates.
    void start();

    // Makes `backend` emit `monitor`'s changes as its live signals and answer its live
    // snapshot from it. The monitor must outlive the link (it is cut when either goes).
    static void feed(Backend *backend, StatusMonitor *monitor);

private:
    std::unique_ptr<DockerClient> m_docker;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<LocalBackend> m_backend;
    std::unique_ptr<StatusMonitor> m_monitor;
    std::unique_ptr<HistoryRecorder> m_recorder;
};

} // namespace sm

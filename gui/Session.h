#pragma once

#include <QObject>
#include <QPointer>
#include <QUrl>

#include "config/FleetFile.h"

#include <functional>

namespace sm {

class Backend;
class DemoLauncher;
class Fleet;
class MainWindow;
struct SystemConfig;

// Owns what the window is connected to: a RemoteBackend for a robot's daemon (also for the
// embedded demo, which runs the daemon as a child process) or a backend made by the caller
// (the local one). Switching robots swaps the backend under the same window.
class Session final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)
public:
    explicit Session(MainWindow *window);
    ~Session() override;

    void connectRemote(const QUrl &url, const QString &token);
    // This host's agents and Docker (a LocalStack), kept current by its monitor.
    void connectLocal(const SystemConfig &config, const QString &where);
    // Shows `backend`; takes ownership of `owner` (what owns the backend), else of the backend.
    void adopt(Backend *backend, const QString &where, QObject *owner = nullptr);
    // One link per robot, shown in the window's fleet mode.
    void connectFleet(const QList<FleetRobot> &robots);
    void startDemo(const QString &daemonProgram, const QStringList &extraArguments = {});
    // Stops the demo daemon (if any), then calls done. Never blocks.
    void shutdown(std::function<void()> done);

    Backend *backend() const { return m_backend; }
    DemoLauncher *demo() const { return m_demo; }

Q_SIGNALS:
    void demoReady(const QUrl &url);
    void demoFailed(const QString &message);

private:
    MainWindow *m_window;
    QPointer<Backend> m_backend;
    QPointer<QObject> m_owner; // the backend, the LocalStack that owns it, or the Fleet
    DemoLauncher *m_demo = nullptr;
};

} // namespace sm

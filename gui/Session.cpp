#include "Session.h"

#include "DemoLauncher.h"
#include "MainWindow.h"
#include "backend/LocalBackend.h"
#include "backend/RemoteBackend.h"
#include "docker/DockerClient.h"
#include "monitor/StatusMonitor.h"

#include <QStatusBar>

namespace sm {

Session::Session(MainWindow *window)
    : QObject(window)
    , m_window(window) {
    connect(window, &MainWindow::connectRequested, this, &Session::connectRemote);
}

Session::~Session() {
    dropMonitor();
}

void Session::dropMonitor() {
    if (m_monitor)
        delete m_monitor.data(); // it calls the backend, so it must not outlive it
}

void Session::adopt(Backend *backend, const QString &where) {
    dropMonitor();
    Backend *old = m_backend;
    m_backend = backend;
    backend->setParent(this);
    m_window->setBackend(backend, where);
    if (old)
        old->deleteLater(); // its answers in flight are dropped with it
}

void Session::connectRemote(const QUrl &url, const QString &token) {
    auto *remote = new RemoteBackend(url, token);
    adopt(remote, url.toString());
    remote->start();
}

void Session::connectLocal(const SystemConfig &config, const QString &where) {
    auto *docker = new DockerClient(config.docker.socketPath);
    auto *local = new LocalBackend(config, docker);
    // A child is destroyed after its parent's destructor body: the client outlives its user.
    docker->setParent(local);
    StatusMonitor::Settings settings;
    settings.pollIntervalMs = config.monitor.pollIntervalMs;
    QStringList names;
    for (const ContainerConfig &c : config.containers)
        names.append(c.name);
    adopt(local, where);
    auto *monitor = new StatusMonitor(local, names, docker, settings);
    connect(monitor, &StatusMonitor::serviceChanged, local, &Backend::serviceChanged);
    connect(monitor, &StatusMonitor::serviceRemoved, local, &Backend::serviceRemoved);
    connect(monitor, &StatusMonitor::agentReachabilityChanged, local,
            &Backend::agentReachabilityChanged);
    connect(monitor, &StatusMonitor::dockerEvent, local, &Backend::dockerEvent);
    m_monitor = monitor;
    monitor->start();
}

void Session::startDemo(const QString &daemonProgram, const QStringList &extraArguments) {
    // --quiet: no access log, so the lines kept for an error message are the daemon's own.
    QStringList arguments{QStringLiteral("--demo"), QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:0"), QStringLiteral("--quiet")};
    arguments += extraArguments;
    m_demo = new DemoLauncher(daemonProgram, arguments, this);
    m_window->setPendingConnection(tr("Starting the demo stack…"));
    connect(m_demo, &DemoLauncher::ready, this, [this](const QUrl &url) {
        auto *remote = new RemoteBackend(url);
        adopt(remote, tr("demo at %1").arg(url.toString()));
        remote->start();
        Q_EMIT demoReady(url);
    });
    connect(m_demo, &DemoLauncher::failed, this, [this](const QString &message) {
        m_window->setPendingConnection(tr("Demo failed: %1").arg(message));
        m_window->statusBar()->showMessage(message);
        Q_EMIT demoFailed(message);
    });
    m_demo->start();
}

void Session::shutdown(std::function<void()> done) {
    if (!m_demo || !m_demo->isRunning()) {
        done();
        return;
    }
    m_demo->disconnect(this);
    connect(m_demo, &DemoLauncher::stopped, this, [done] { done(); });
    m_demo->stop();
}

} // namespace sm

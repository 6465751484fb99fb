#include "Session.h"

#include "DemoLauncher.h"
#include "MainWindow.h"
#include "backend/LocalBackend.h"
#include "backend/RemoteBackend.h"
#include "fleet/Fleet.h"
#include "stack/LocalStack.h"

#include <QStatusBar>

namespace sm {

Session::Session(MainWindow *window)
    : QObject(window)
    , m_window(window) {
    connect(window, &MainWindow::connectRequested, this, &Session::connectRemote);
    connect(window, &MainWindow::fleetRequested, this, &Session::connectFleet);
}

Session::~Session() = default;

void Session::adopt(Backend *backend, const QString &where, QObject *owner) {
    QObject *old = m_owner;
    m_owner = owner ? owner : backend;
    m_owner->setParent(this);
    m_backend = backend;
    if (m_window->fleet())
        m_window->setFleet(nullptr);
    m_window->setBackend(backend, where);
    if (old)
        old->deleteLater(); // its answers in flight are dropped with it
}

void Session::connectRemote(const QUrl &url, const QString &token) {
    auto *remote = new RemoteBackend(url, token);
    adopt(remote, url.toString());
    remote->start();
}

void Session::connectFleet(const QList<FleetRobot> &robots) {
    QObject *old = m_owner;
    auto *fleet = new Fleet(robots, this);
    m_owner = fleet;
    m_backend = nullptr;
    m_window->setFleet(fleet);
    fleet->start();
    if (old)
        old->deleteLater();
}

void Session::connectLocal(const SystemConfig &config, const QString &where) {
    auto *stack = new LocalStack(config);
    adopt(stack->backend(), where, stack);
    stack->start();
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

#include "Daemon.h"

#include "DemoStack.h"
#include "RestServer.h"
#include "backend/LocalBackend.h"
#include "config/SystemConfig.h"
#include "docker/DockerClient.h"
#include "history/HistoryStore.h"
#include "metrics/DockerState.h"
#include "metrics/Metrics.h"
#include "monitor/StatusMonitor.h"
#include "rules/Rules.h"
#include "stack/LocalStack.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHostAddress>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace sm {

namespace {

void say(FILE *stream, const QString &line) {
    std::fputs(qPrintable(line + u'\n'), stream);
    std::fflush(stream);
}

QHostAddress hostAddress(const QString &host) {
    if (host == u"localhost")
        return QHostAddress(QHostAddress::LocalHost);
    if (host == u"*" || host.isEmpty())
        return QHostAddress(QHostAddress::Any);
    return QHostAddress(host);
}

} // namespace

Daemon::Daemon(DaemonOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options)) {}

Daemon::~Daemon() {
    release();
}

void Daemon::release() {
    // The server calls the stack's backend.
    m_server.reset();
    m_stack.reset();
}

void Daemon::start() {
    if (!m_options.demo) {
        serve(m_options.configPath);
        return;
    }
    if (!m_options.listen)
        m_options.listen = qMakePair(QStringLiteral("127.0.0.1"), quint16(8081));
    const QString agent = QCoreApplication::applicationDirPath() + QStringLiteral("/s6-agent");
    m_demo = std::make_unique<DemoStack>(agent, m_options.demoExtraServices);
    connect(m_demo.get(), &DemoStack::ready, this, [this] {
        say(stderr, QStringLiteral("demo: s6-svscan over %1, s6-agent at %2")
                        .arg(m_demo->scanDir(), m_demo->agentSocket()));
        serve(m_demo->configPath());
    });
    connect(m_demo.get(), &DemoStack::failed, this, [this](const QString &reason) {
        say(stderr, QStringLiteral("system-managerd: demo failed: %1").arg(reason));
        m_exitCode = 1;
        shutdown();
    });
    connect(m_demo.get(), &DemoStack::stopped, this, [this] { finish(m_exitCode); });
    m_demo->start();
}

void Daemon::serve(const QString &configPath) {
    ConfigLoad load = loadConfigFile(configPath);
    if (!load.ok()) {
        say(stderr, load.error.toString());
        m_exitCode = 2;
        shutdown();
        return;
    }
    const SystemConfig &config = *load.config;
    for (const QString &warning : std::as_const(config.warnings))
        say(stderr, QStringLiteral("warning: ") + warning);

    const QString host = m_options.listen ? m_options.listen->first : config.api.listenHost;
    const quint16 port = m_options.listen ? m_options.listen->second : config.api.listenPort;
    const QHostAddress address = hostAddress(host);
    if (address.isNull()) {
        say(stderr,
            QStringLiteral("system-managerd: cannot listen on '%1': not an IP address").arg(host));
        m_exitCode = 2;
        shutdown();
        return;
    }

    RestSettings settings;
    for (const ContainerConfig &c : config.containers)
        settings.containers.append(c.name);
    settings.corsOrigins = config.api.corsOrigins;
    settings.requestTimeoutMs = config.api.requestTimeoutMs;
    settings.accessLog = m_options.accessLog;
    settings.tokens = config.api.tokens;
    settings.metricsOpen = config.api.metricsOpen;
    const Exposure exposed = exposure(host, settings.tokens.isEmpty(), settings.metricsOpen);
    if (exposed != Exposure::None)
        settings.listenWarning = exposureWarning(host, exposed);

    m_stack = std::make_unique<LocalStack>(config);
    m_server = std::make_unique<RestServer>(m_stack->backend(), settings);
    if (HistoryStore *history = m_stack->history())
        m_server->setAuditSink([history](AuditEntry entry) { history->record(std::move(entry)); });
    // /metrics learns whether Docker is up from the monitor's event stream, never per scrape.
    connect(m_stack->monitor(), &StatusMonitor::dockerConnectedChanged,
            m_server->metrics()->docker(), &DockerState::setUp);
    startHeapTrim();
    const quint16 bound = m_server->listen(address, port);
    if (bound == 0) {
        say(stderr, QStringLiteral("system-managerd: cannot listen on %1:%2 (address in use or "
                                   "not available)")
                        .arg(host)
                        .arg(port));
        m_exitCode = 1;
        shutdown();
        return;
    }
    const QString shownHost =
        address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + host + u']' : host;
    const QString url = QStringLiteral("http://%1:%2").arg(shownHost).arg(bound);
    if (exposed != Exposure::None)
        say(stderr, exposureStartupWarning(url, exposed));
    // Tests and scripts parse this line to learn the port when --listen asked for port 0.
    say(stdout, QStringLiteral("listening on %1").arg(url));
    m_stack->start(); // feeds GET /events
    if (m_options.demo) {
        const QString docker = m_stack->docker()->socketPath();
        say(stderr, QFileInfo::exists(docker)
                        ? QStringLiteral("demo: Docker Engine at %1").arg(docker)
                        : QStringLiteral("demo: no Docker socket at %1 (set DOCKER_HOST); the "
                                         "/docker routes answer 503")
                              .arg(docker));
    }
    if (m_options.demo)
        say(stdout, QStringLiteral("demo: open %1/docs (Swagger UI), %1/redoc, or try\n"
                                   "  curl %1/containers/demo/services/status")
                        .arg(url));
}

void Daemon::shutdown() {
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    // Stop accepting first, then let the demo processes go; exit once they are gone.
    release();
    if (m_demo)
        m_demo->stop();
    else
        finish(m_exitCode);
}

void Daemon::finish(int code) {
    QMetaObject::invokeMethod(
        this, [this, code] { Q_EMIT exitRequested(code); }, Qt::QueuedConnection);
}

void Daemon::startHeapTrim() {
#ifdef __GLIBC__
    // After a burst of clients, glibc keeps the freed heap mapped; on a robot that runs for
    // months the resident size should fall back once the burst is over. Trimming a heap of
    // a few tens of MB takes well under a millisecond.
    auto *timer = new QTimer(this);
    timer->setInterval(kHeapTrimIntervalMs);
    connect(timer, &QTimer::timeout, this, [] { malloc_trim(0); });
    timer->start();
#endif
}

} // namespace sm

// system-managerd: the REST daemon. Argument parsing and wiring only; see headless/Daemon.
#include "Daemon.h"
#include "config/SystemConfig.h"
#include "platform/UnixSignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <algorithm>
#include <cstdio>

#include <sys/resource.h>

namespace {

int usageError(const QString &message) {
    std::fprintf(stderr, "system-managerd: %s (see --help)\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[]) {
    // Qt's own event dispatcher rather than GLib's: the daemon needs nothing of GLib, and a
    // request costs fewer instructions without it. Children do not inherit the choice.
    const bool callerChose = qEnvironmentVariableIsSet("QT_NO_GLIB");
    if (!callerChose)
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    if (!callerChose)
        qunsetenv("QT_NO_GLIB");
    QCoreApplication::setApplicationName(QStringLiteral("system-managerd"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("REST API for the s6 services of robot containers and the host's Docker "
                       "containers."));
    const QCommandLineOption configOption(
        QStringLiteral("config"),
        QStringLiteral("Config file (default: $CONFIG_FILE, else ./config.yml)."),
        QStringLiteral("FILE"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("Address to serve on, e.g. 127.0.0.1:8081 (port 0 picks a free one). "
                       "Default: api.listen, else 0.0.0.0:8081; 127.0.0.1:8081 with --demo."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QStringLiteral("Start demo s6 services and an s6-agent for them, and serve those."));
    const QCommandLineOption checkOption(QStringLiteral("check-config"),
                                         QStringLiteral("Load the config, report, and exit."));
    const QCommandLineOption quietOption({QStringLiteral("q"), QStringLiteral("quiet")},
                                         QStringLiteral("No access log lines on stderr."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addOptions({configOption, listenOption, demoOption, checkOption, quietOption});

    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (parser.isSet(versionOption)) {
        std::printf("system-managerd %s\n", SM_VERSION);
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'")
                              .arg(parser.positionalArguments().constFirst()));

    sm::DaemonOptions options;
    options.demo = parser.isSet(demoOption);
    options.accessLog = !parser.isSet(quietOption);
    if (options.demo && parser.isSet(configOption))
        return usageError(QStringLiteral("--demo makes its own config; drop --config"));
    options.configPath = sm::locateConfigFile(parser.value(configOption));
    if (parser.isSet(listenOption)) {
        options.listen = sm::parseListenAddress(parser.value(listenOption));
        if (!options.listen)
            return usageError(QStringLiteral("--listen expects HOST:PORT, not '%1'")
                                  .arg(parser.value(listenOption)));
    }
    if (parser.isSet(checkOption)) {
        const sm::ConfigLoad load = sm::loadConfigFile(options.configPath);
        if (!load.ok()) {
            std::fprintf(stderr, "%s\n", qPrintable(load.error.toString()));
            return 2;
        }
        for (const QString &warning : load.config->warnings)
            std::fprintf(stderr, "warning: %s\n", qPrintable(warning));
        std::printf("%s: OK (%lld containers)\n", qPrintable(options.configPath),
                    static_cast<long long>(load.config->containers.size()));
        return 0;
    }
    const QByteArray extra = qgetenv("SM_DEMO_EXTRA_SERVICES");
    if (!extra.isEmpty()) {
        bool ok = false;
        options.demoExtraServices = extra.toInt(&ok);
        if (!ok || options.demoExtraServices < 0 || options.demoExtraServices > 99)
            return usageError(QStringLiteral("SM_DEMO_EXTRA_SERVICES must be 0..99"));
    }

    // The daemon needs no Qt plugins. Without this, QHttpServer's SSL configuration loads the
    // OpenSSL TLS backend (libssl, libcrypto): about 4 MB of resident memory for nothing.
    QCoreApplication::setLibraryPaths({});
    QLoggingCategory::setFilterRules(QStringLiteral("qt.network.ssl.warning=false"));

    // Up to RestSettings::maxConnections clients plus agent and Docker sockets: the usual soft
    // limit of 1024 descriptors is too low, and an accept() failing with EMFILE spins.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 &&
        files.rlim_cur < std::min<rlim_t>(files.rlim_max, 65536)) {
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, 65536);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    sm::Daemon daemon(options);
    sm::UnixSignals unixSignals;
    QObject::connect(&unixSignals, &sm::UnixSignals::received, &daemon, &sm::Daemon::shutdown);
    QObject::connect(&daemon, &sm::Daemon::exitRequested, &app, &QCoreApplication::exit);
    daemon.start();
    return app.exec();
}

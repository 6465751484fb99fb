// system-manager: the technician's dashboard. Argument parsing and wiring only.
#include "ConnectDialog.h"
#include "MainWindow.h"
#include "Session.h"
#include "config/FleetFile.h"
#include "config/SystemConfig.h"
#include "platform/UnixSignals.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>
#include <QTimer>

namespace {

struct Options {
    enum Mode { Local, Remote, Demo, Fleet } mode = Local;
    QString config;
    bool configChosen = false; // by --config or CONFIG_FILE, not the ./config.yml fallback
    QUrl url;
    QString token;
    QList<sm::FleetRobot> fleet;
};

// Parsed before QApplication exists, so --help, --version and mistakes need no display.
int parseArguments(const QStringList &arguments, Options *options) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Dashboard for the s6 services of ROS 2 robot containers and the host's Docker "
        "containers: on this host (--config), on a robot's system-managerd (--connect), on "
        "every robot of a fleet file (--fleet), or on an embedded demo stack (--demo)."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help and exit."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Show the version and exit."));
    const QCommandLineOption config(
        QStringLiteral("config"),
        QStringLiteral("Configuration file (default: $CONFIG_FILE, else ./config.yml)."),
        QStringLiteral("FILE"));
    const QCommandLineOption connect(QStringLiteral("connect"),
                                     QStringLiteral("A robot's system-managerd, e.g. "
                                                    "http://robot:8081."),
                                     QStringLiteral("URL"));
    const QCommandLineOption token(QStringLiteral("token"),
                                   QStringLiteral("API token for --connect (sent as Bearer)."),
                                   QStringLiteral("TOKEN"));
    const QCommandLineOption fleet(
        QStringLiteral("fleet"),
        QStringLiteral("A fleet file: robots: [{name, url, token_file}], one link per robot."),
        QStringLiteral("FILE"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Start and show the embedded demo stack."));
    parser.addOptions({help, version, config, connect, token, fleet, demo});

    QTextStream err(stderr);
    auto fail = [&err](const QString &message) {
        err << "system-manager: " << message << " (see --help)\n";
        return 2;
    };
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(help)) {
        // No QCoreApplication yet, so Qt cannot name the program itself.
        QTextStream(stdout) << parser.helpText().replace(QLatin1String("<executable_name>"),
                                                         QLatin1String("system-manager"));
        return 0;
    }
    if (parser.isSet(version)) {
        QTextStream(stdout) << "system-manager " << SM_VERSION << '\n';
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument '%1'")
                        .arg(parser.positionalArguments().constFirst()));
    const int modes = int(parser.isSet(config)) + int(parser.isSet(connect)) +
                      int(parser.isSet(fleet)) + int(parser.isSet(demo));
    if (modes > 1)
        return fail(QStringLiteral("--config, --connect, --fleet and --demo exclude each other"));
    if (parser.isSet(token) && !parser.isSet(connect))
        return fail(QStringLiteral("--token only applies to --connect"));
    if (parser.isSet(connect)) {
        options->mode = Options::Remote;
        options->url = sm::ConnectDialog::normalizeUrl(parser.value(connect));
        if (options->url.isEmpty())
            return fail(QStringLiteral("'%1' is not an http(s) URL").arg(parser.value(connect)));
        options->token = parser.value(token);
    } else if (parser.isSet(fleet)) {
        // A bad fleet file is a usage error, reported before any window exists.
        const sm::FleetLoad load = sm::loadFleetFile(parser.value(fleet));
        if (!load.ok()) {
            err << "system-manager: " << load.error.toString() << '\n';
            return 2;
        }
        for (const QString &warning : load.warnings)
            err << "system-manager: warning: " << warning << '\n';
        options->mode = Options::Fleet;
        options->fleet = *load.robots;
    } else if (parser.isSet(demo)) {
        options->mode = Options::Demo;
    } else {
        options->config = sm::locateConfigFile(parser.value(config));
        options->configChosen = parser.isSet(config) || qEnvironmentVariableIsSet("CONFIG_FILE");
    }
    return -1;
}

} // namespace

int main(int argc, char *argv[]) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    Options options;
    if (const int code = parseArguments(arguments, &options); code >= 0)
        return code;
    // Local mode: a bad config is a usage error, reported before any window exists.
    sm::ConfigLoad local;
    // Started from a desktop menu with no config here: open the window and ask for a robot.
    const bool askForRobot = options.mode == Options::Local && !options.configChosen &&
                             !QFileInfo::exists(options.config);
    if (options.mode == Options::Local && !askForRobot) {
        local = sm::loadConfigFile(options.config);
        if (!local.ok()) {
            QTextStream(stderr) << "system-manager: " << local.error.toString() << '\n';
            return 2;
        }
        for (const QString &warning : local.config->warnings)
            QTextStream(stderr) << "system-manager: warning: " << warning << '\n';
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("system-manager"));
    QApplication::setOrganizationName(QStringLiteral("system-manager"));
    QApplication::setApplicationVersion(QStringLiteral(SM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("system-manager"));
    QApplication::setQuitOnLastWindowClosed(false);

    sm::MainWindow window;
    sm::Session session(&window);
    switch (options.mode) {
    case Options::Remote:
        sm::ConnectDialog::rememberRobot(options.url);
        session.connectRemote(options.url, options.token);
        break;
    case Options::Fleet:
        sm::ConnectDialog::rememberFleet(options.fleet); // the Connect dialog edits it from here
        session.connectFleet(options.fleet);
        break;
    case Options::Demo: {
        const QString daemon =
            QApplication::applicationDirPath() + QStringLiteral("/system-managerd");
        if (!QFileInfo(daemon).isExecutable()) {
            QTextStream(stderr) << "system-manager: --demo needs " << daemon << '\n';
            return 1;
        }
        // Said on stderr too, so the demo's REST API can be used next to the window.
        QObject::connect(&session, &sm::Session::demoReady, &app, [](const QUrl &url) {
            QTextStream(stderr) << "system-manager: demo stack at " << url.toString() << '\n';
        });
        QObject::connect(&session, &sm::Session::demoFailed, &app, [](const QString &message) {
            QTextStream(stderr) << "system-manager: demo failed: " << message << '\n';
        });
        session.startDemo(daemon);
        break;
    }
    case Options::Local:
        if (askForRobot) {
            window.setPendingConnection(
                QStringLiteral("Not connected: no %1 here").arg(options.config));
            QTimer::singleShot(0, &window, &sm::MainWindow::openConnectDialog);
            break;
        }
        session.connectLocal(*local.config, QFileInfo(options.config).absoluteFilePath());
        break;
    }

    // Closing the window (or SIGINT/SIGTERM) first stops the demo daemon, without blocking.
    auto quit = [&session] { session.shutdown([] { QCoreApplication::quit(); }); };
    QObject::connect(&app, &QGuiApplication::lastWindowClosed, &app, quit);
    sm::UnixSignals unixSignals;
    QObject::connect(&unixSignals, &sm::UnixSignals::received, &window, &QWidget::close);
    if (askForRobot)
        QTextStream(stderr) << "system-manager: no " << options.config
                            << " here (see --help); asking which robot to connect to\n";
    window.show();
    return app.exec();
}

#pragma once

#include "model/Types.h"
#include "rules/Rules.h"

#include <QByteArray>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

namespace sm {

// One robot container from config: where its agent listens, and optional service labels.
struct ContainerConfig {
    QString name;
    QString socketPath;
    QList<ServiceInfo> services; // labels for the agent's service ids, in file order
    // The configured label of a service, else its id.
    QString labelFor(const QString &serviceId) const;
};

struct DockerConfig {
    // Resolved when loading: socket_path, else DOCKER_HOST (rules/Rules.h resolveDockerSocket).
    QString socketPath = QString::fromLatin1(kDefaultDockerSocket);
    // Containers that may be started/stopped/restarted; unset = all of them.
    std::optional<QStringList> control;
    bool mayControl(const QString &name) const { return !control || control->contains(name); }
};

enum class Role { Viewer, Operator };

struct ApiToken {
    QString name;
    QString token;
    Role role = Role::Viewer;
};

struct ApiConfig {
    QString listenHost = QStringLiteral("0.0.0.0");
    quint16 listenPort = 8081;
    QStringList corsOrigins{QStringLiteral("*")};
    QList<ApiToken> tokens;
    int requestTimeoutMs = 5000;
    bool metricsOpen = false; // GET /metrics without a token, for a scraper
};

struct MonitorConfig {
    int pollIntervalMs = 1000; // for agents that cannot push (and all of them without push)
    bool push = true;          // subscribe to each agent's /events; false: poll every agent
};

// state.dir and history.*: where the history store lives and what it keeps.
struct HistoryConfig {
    QString stateDir;       // empty: no history is kept (the daemon's --demo uses a temp dir)
    int retentionDays = 30; // rows older than this are deleted
    int maxEvents = 100000; // at most this many state-change events, the oldest go first
    int maxAudit = 100000;  // the same for audit entries
};

// Where and why a config file was rejected; line and column are 1-based (0 = unknown).
struct ConfigError {
    QString file;
    int line = 0;
    int column = 0;
    QString message;
    // "file:line:column: message", the one line a program prints before exiting with 2.
    QString toString() const;
};

// The whole configuration (architecture.md). The old service's config.yml, with only
// `containers:`, loads unchanged; the other sections are optional with the defaults above.
struct SystemConfig {
    QString path; // the file it came from, for messages
    QList<ContainerConfig> containers;
    DockerConfig docker;
    ApiConfig api;
    MonitorConfig monitor;
    HistoryConfig history;
    QStringList warnings; // "file:line: ..." for unknown keys and similar slips

    const ContainerConfig *container(const QString &name) const;
    QList<ContainerInfo> containerInfos() const;
};

struct ConfigLoad {
    std::optional<SystemConfig> config;
    ConfigError error; // meaningful only without a config
    bool ok() const { return config.has_value(); }
};

// Parses YAML text; `fileName` names it in messages and anchors relative token_file paths.
// The environment supplies DOCKER_HOST.
ConfigLoad
loadConfigText(const QByteArray &yaml, const QString &fileName,
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
ConfigLoad
loadConfigFile(const QString &path,
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// The config file to use: --config's value when given, else $CONFIG_FILE, else ./config.yml.
QString locateConfigFile(const QString &commandLineValue,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// Splits "HOST:PORT" ("[::1]:8081" for IPv6); nullopt when malformed.
std::optional<QPair<QString, quint16>> parseListenAddress(const QString &text);

} // namespace sm

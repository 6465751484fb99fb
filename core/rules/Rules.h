#pragma once

// The rules the daemon, the dashboard and the backends must agree on, each in one place: which
// control actions exist, which names are valid, when the API is exposed, where Docker listens.
// The s6-agent (Qt-free) keeps twins of the action list and the service-name rule;
// tests/fixtures/rules/ pins both to one table.

#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace sm {

// What POST /containers/{c}/services/{s} may ask of s6.
enum class ServiceAction { Up, Down, Restart };
// What POST /docker/containers/{name} may ask of the Engine.
enum class DockerAction { Start, Stop, Restart };

// Exact, lower-case names only ("up", not "Up" or " up").
std::optional<ServiceAction> parseServiceAction(QStringView text);
std::optional<DockerAction> parseDockerAction(QStringView text);
QString toString(ServiceAction action);
QString toString(DockerAction action);
// Every name in enum order: up, down, restart / start, stop, restart.
QStringList serviceActionNames();
QStringList dockerActionNames();
// "up, down or restart", for messages.
QString choiceList(const QStringList &names);

// A name is at most this many characters (all of them ASCII, so also bytes).
constexpr qsizetype kMaxNameLength = 255;

// The agent's rule, which decides in the end (agent/Services.cpp isValidServiceName):
// serviceNamePattern(), at most kMaxNameLength, and no ".." anywhere, so that no name can leave
// the directory it names.
bool isValidServiceName(QStringView name);
// "^[A-Za-z0-9][A-Za-z0-9_.@-]*$": the pattern part of the rule, as the REST API's 422 and its
// schema show it. The length and ".." checks come on top of it.
QString serviceNamePattern();

// A Docker container name (or id) as the REST API accepts it: dockerNamePattern(), at most
// kMaxNameLength.
bool isValidDockerName(QStringView name);
// "^[A-Za-z0-9][A-Za-z0-9_.-]*$"
QString dockerNamePattern();

// "localhost" or a loopback address ("127.0.0.1", "::1").
bool isLoopbackHost(const QString &host);
// What the API leaves open to anyone who can reach it. On loopback: nothing. Beyond it, with
// no access tokens: everything (anyone may stop services); with tokens but api.metrics_open:
// GET /metrics, which names every container and service and tells their state.
enum class Exposure { None, Metrics, Everything };
Exposure exposure(const QString &listenHost, bool tokensEmpty, bool metricsOpen);
// The one line /healthz reports when something is exposed.
QString exposureWarning(const QString &listenHost, Exposure what = Exposure::Everything);
// What the daemon prints at start then; `url` is where it listens ("http://0.0.0.0:8081").
QString exposureStartupWarning(const QString &url, Exposure what = Exposure::Everything);

// Where the Docker Engine listens: the configured path, else DOCKER_HOST=unix://<path>, else
// kDefaultDockerSocket. A DOCKER_HOST that is set but not unix://<path> (tcp://, ssh://) is
// never used, and warned about even when a configured path wins: only Unix sockets are spoken.
struct DockerSocket {
    QString path;
    QString warning; // empty unless DOCKER_HOST was set and unusable
};
inline constexpr const char *kDefaultDockerSocket = "/var/run/docker.sock";
DockerSocket resolveDockerSocket(const QString &configured, const QString &dockerHost);

} // namespace sm

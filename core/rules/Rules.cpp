#include "rules/Rules.h"

#include <QHostAddress>

namespace sm {

namespace {

bool isAsciiAlnum(QChar c) {
    const char16_t u = c.unicode();
    return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9');
}

// [A-Za-z0-9][A-Za-z0-9<extra>]*, at most kMaxNameLength: both name patterns, without a
// regular expression (they run on every request that names a service or a container).
bool matchesName(QStringView name, QStringView extra) {
    if (name.isEmpty() || name.size() > kMaxNameLength || !isAsciiAlnum(name.front()))
        return false;
    for (const QChar c : name) {
        if (!isAsciiAlnum(c) && !extra.contains(c))
            return false;
    }
    return true;
}

// The index of `text` in `names`, when it is one of them exactly.
std::optional<int> indexIn(const QStringList &names, QStringView text) {
    const qsizetype i = names.indexOf(text);
    return i < 0 ? std::nullopt : std::optional<int>(int(i));
}

} // namespace

QStringList serviceActionNames() {
    return {QStringLiteral("up"), QStringLiteral("down"), QStringLiteral("restart")};
}

QStringList dockerActionNames() {
    return {QStringLiteral("start"), QStringLiteral("stop"), QStringLiteral("restart")};
}

std::optional<ServiceAction> parseServiceAction(QStringView text) {
    const auto i = indexIn(serviceActionNames(), text);
    return i ? std::optional(ServiceAction(*i)) : std::nullopt;
}

std::optional<DockerAction> parseDockerAction(QStringView text) {
    const auto i = indexIn(dockerActionNames(), text);
    return i ? std::optional(DockerAction(*i)) : std::nullopt;
}

QString toString(ServiceAction action) {
    return serviceActionNames().at(int(action));
}

QString toString(DockerAction action) {
    return dockerActionNames().at(int(action));
}

QString choiceList(const QStringList &names) {
    if (names.size() < 2)
        return names.join(QString());
    QStringList head = names;
    const QString last = head.takeLast();
    return head.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

bool isValidServiceName(QStringView name) {
    return matchesName(name, u"_.@-") && !name.contains(u"..");
}

QString serviceNamePattern() {
    return QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.@-]*$");
}

bool isValidDockerName(QStringView name) {
    return matchesName(name, u"_.-");
}

QString dockerNamePattern() {
    return QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]*$");
}

bool isLoopbackHost(const QString &host) {
    return host == QLatin1String("localhost") || QHostAddress(host).isLoopback();
}

Exposure exposure(const QString &listenHost, bool tokensEmpty, bool metricsOpen) {
    if (isLoopbackHost(listenHost))
        return Exposure::None;
    if (tokensEmpty)
        return Exposure::Everything;
    return metricsOpen ? Exposure::Metrics : Exposure::None;
}

QString exposureWarning(const QString &listenHost, Exposure what) {
    if (what == Exposure::Metrics)
        return QStringLiteral("The API listens on %1 with /metrics open without a token "
                              "(api.metrics_open)")
            .arg(listenHost);
    return QStringLiteral("The API listens on %1 without access tokens").arg(listenHost);
}

QString exposureStartupWarning(const QString &url, Exposure what) {
    if (what == Exposure::Metrics)
        return QStringLiteral("WARNING: GET %1/metrics is open to the network without a token "
                              "(api.metrics_open): anyone who can reach it may read the name and "
                              "state of every container and service. Bind the API to 127.0.0.1, "
                              "firewall it to the scraper, or scrape with a viewer token")
            .arg(url);
    return QStringLiteral("WARNING: the API on %1 is open to the network with no access "
                          "control: anyone who can reach it may stop services. Configure "
                          "api.tokens, bind it to 127.0.0.1, or firewall it")
        .arg(url);
}

DockerSocket resolveDockerSocket(const QString &configured, const QString &dockerHost) {
    static const QLatin1String unixScheme("unix://");
    DockerSocket socket;
    const bool usable = dockerHost.startsWith(unixScheme) && dockerHost.size() > unixScheme.size();
    if (!dockerHost.isEmpty() && !usable)
        socket.warning =
            QStringLiteral("DOCKER_HOST=%1 is not a unix:// address (ignored)").arg(dockerHost);
    if (!configured.isEmpty())
        socket.path = configured;
    else if (usable)
        socket.path = dockerHost.mid(unixScheme.size());
    else
        socket.path = QString::fromLatin1(kDefaultDockerSocket);
    return socket;
}

} // namespace sm

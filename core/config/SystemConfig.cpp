#include "SystemConfig.h"

#include "ConfigReader.h"
#include "TokenFile.h"
#include "rules/Rules.h"

#include <QHostAddress>

#include <algorithm>

namespace sm {

QString ContainerConfig::labelFor(const QString &serviceId) const {
    for (const ServiceInfo &s : services) {
        if (s.id == serviceId)
            return s.label;
    }
    return serviceId;
}

QString ConfigError::toString() const {
    if (line <= 0)
        return QStringLiteral("%1: %2").arg(file, message);
    return QStringLiteral("%1:%2:%3: %4").arg(file).arg(line).arg(column).arg(message);
}

const ContainerConfig *SystemConfig::container(const QString &name) const {
    for (const ContainerConfig &c : containers) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

QList<ContainerInfo> SystemConfig::containerInfos() const {
    QList<ContainerInfo> out;
    for (const ContainerConfig &c : containers)
        out.append({c.name, c.socketPath});
    return out;
}

std::optional<QPair<QString, quint16>> parseListenAddress(const QString &text) {
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    else if (host.contains(QLatin1Char(':')))
        return std::nullopt; // IPv6 needs brackets
    if (host != QLatin1String("localhost") && QHostAddress(host).isNull())
        return std::nullopt;
    return QPair<QString, quint16>(host, quint16(port));
}

namespace {

void readServices(ConfigReader &r, const YAML::Node &list, const QString &where,
                  ContainerConfig &c) {
    r.expectList(list, where);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        const QString at = QStringLiteral("%1[%2]").arg(where).arg(i);
        ServiceInfo s;
        if (item.IsScalar()) { // a bare id is read as {id: <it>}
            s.id = r.string(item, at);
        } else {
            r.expectMap(item, at);
            r.checkKeys(item, {"id", "label"}, at);
            s.id = r.requiredString(item, "id", at);
            if (const auto label = ConfigReader::child(item, "label"))
                s.label = r.string(*label, at + QStringLiteral(".label"));
        }
        if (s.label.isEmpty())
            s.label = s.id;
        const auto same = [&](const ServiceInfo &o) { return o.id == s.id; };
        if (std::any_of(c.services.begin(), c.services.end(), same))
            r.fail(item.Mark(), QStringLiteral("duplicate service id '%1' in %2").arg(s.id, where));
        c.services.append(s);
    }
}

// One container's settings, the same in both forms of `containers:`.
void readContainer(ConfigReader &r, const YAML::Node &item, const YAML::Mark &nameMark,
                   const QString &at, ContainerConfig &c, SystemConfig &config) {
    if (c.name.contains(QLatin1Char('/')))
        r.fail(nameMark, QStringLiteral("%1: container name must not contain '/'").arg(at));
    if (config.container(c.name))
        r.fail(nameMark, QStringLiteral("duplicate container name '%1'").arg(c.name));
    c.socketPath = r.requiredString(item, "socket_path", at);
    if (const auto services = ConfigReader::child(item, "services"))
        readServices(r, *services, at + QStringLiteral(".services"), c);
    config.containers.append(c);
}

// The list form: `- {name, socket_path, services}`.
void readContainerList(ConfigReader &r, const YAML::Node &list, SystemConfig &config) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        const QString at = QStringLiteral("containers[%1]").arg(i);
        r.expectMap(item, at);
        if (!ConfigReader::child(item, "name") && !ConfigReader::child(item, "socket_path") &&
            item.size() == 1)
            r.fail(item.Mark(),
                   QStringLiteral("%1 mixes the two forms of containers: use a mapping of name "
                                  "to settings, or a list of entries with 'name', not both")
                       .arg(at));
        r.checkKeys(item, {"name", "socket_path", "services"}, at);
        ContainerConfig c;
        c.name = r.requiredString(item, "name", at);
        readContainer(r, item, item["name"].Mark(), at, c, config);
    }
}

// The original's form: a mapping of container name to `{socket_path, services}`, in file order.
void readContainerMap(ConfigReader &r, const YAML::Node &map, SystemConfig &config) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString name = r.string(it->first, QStringLiteral("a container name"));
        const QString at = QStringLiteral("containers.%1").arg(name);
        if (name.trimmed().isEmpty())
            r.fail(it->first.Mark(), QStringLiteral("a container name must not be empty"));
        const YAML::Node item = it->second;
        if (item.IsNull()) // an empty value's own position is the next line
            r.fail(it->first.Mark(),
                   QStringLiteral("%1 has no settings: it needs 'socket_path'").arg(at));
        r.expectMap(item, at);
        if (ConfigReader::child(item, "name"))
            r.fail(item["name"].Mark(),
                   QStringLiteral("%1 mixes the two forms of containers: in the mapping form the "
                                  "key is the name, 'name' belongs to the list form")
                       .arg(at));
        r.checkKeys(item, {"socket_path", "services"}, at);
        ContainerConfig c;
        c.name = name;
        readContainer(r, item, it->first.Mark(), at, c, config);
    }
}

void readContainers(ConfigReader &r, const YAML::Node &node, SystemConfig &config) {
    if (node.IsMap())
        readContainerMap(r, node, config);
    else if (node.IsSequence())
        readContainerList(r, node, config);
    else
        r.fail(node.Mark(), QStringLiteral("containers must be a mapping of container name to "
                                           "settings (or a list), not %1")
                                .arg(ConfigReader::typeName(node)));
}

void readDocker(ConfigReader &r, const YAML::Node &map, const QProcessEnvironment &env,
                SystemConfig &config) {
    QString configured;
    if (!map.IsNull() && map.IsDefined()) {
        r.expectMap(map, QStringLiteral("docker"));
        r.checkKeys(map, {"socket_path", "control"}, QStringLiteral("docker"));
        if (ConfigReader::child(map, "socket_path"))
            configured = r.requiredString(map, "socket_path", QStringLiteral("docker"));
        if (const auto control = ConfigReader::child(map, "control"))
            config.docker.control = r.stringList(*control, QStringLiteral("docker.control"));
    }
    const DockerSocket socket =
        resolveDockerSocket(configured, env.value(QStringLiteral("DOCKER_HOST")));
    config.docker.socketPath = socket.path;
    if (!socket.warning.isEmpty())
        config.warnings.append(socket.warning);
}

ApiToken readToken(ConfigReader &r, const YAML::Node &item, const QString &at) {
    r.expectMap(item, at);
    r.checkKeys(item, {"name", "token", "token_file", "role"}, at);
    ApiToken t;
    t.name = r.requiredString(item, "name", at);
    const auto token = ConfigReader::child(item, "token");
    const auto tokenFile = ConfigReader::child(item, "token_file");
    if (token && tokenFile)
        r.fail(item.Mark(), QStringLiteral("%1 has both 'token' and 'token_file'").arg(at));
    if (token) {
        t.token = r.requiredString(item, "token", at);
    } else if (tokenFile) {
        const QString name = r.requiredString(item, "token_file", at);
        const QString path = r.pathBeside(name);
        const TokenRead read = readTokenFile(path);
        if (!read.error.isEmpty())
            r.fail(tokenFile->Mark(), read.error);
        t.token = read.token;
    } else {
        r.fail(item.Mark(), QStringLiteral("%1 needs 'token' or 'token_file'").arg(at));
    }
    const QString role = r.requiredString(item, "role", at);
    if (role == QLatin1String("viewer"))
        t.role = Role::Viewer;
    else if (role == QLatin1String("operator"))
        t.role = Role::Operator;
    else
        r.fail(item["role"].Mark(),
               QStringLiteral("%1.role must be 'viewer' or 'operator', not '%2'").arg(at, role));
    return t;
}

void readApi(ConfigReader &r, const YAML::Node &map, SystemConfig &config) {
    const QString where = QStringLiteral("api");
    r.expectMap(map, where);
    r.checkKeys(map, {"listen", "cors_origins", "tokens", "request_timeout_ms", "metrics_open"},
                where);
    if (const auto listen = ConfigReader::child(map, "listen")) {
        const QString text = r.string(*listen, QStringLiteral("api.listen"));
        const auto address = parseListenAddress(text);
        if (!address)
            r.fail(listen->Mark(),
                   QStringLiteral("api.listen must be HOST:PORT (e.g. 0.0.0.0:8081), not '%1'")
                       .arg(text));
        config.api.listenHost = address->first;
        config.api.listenPort = address->second;
    }
    if (const auto origins = ConfigReader::child(map, "cors_origins"))
        config.api.corsOrigins = r.stringList(*origins, QStringLiteral("api.cors_origins"));
    if (const auto timeout = ConfigReader::child(map, "request_timeout_ms"))
        config.api.requestTimeoutMs =
            int(r.integer(*timeout, QStringLiteral("api.request_timeout_ms"), 1, 3600 * 1000));
    if (const auto open = ConfigReader::child(map, "metrics_open"))
        config.api.metricsOpen = r.boolean(*open, QStringLiteral("api.metrics_open"));
    if (const auto tokens = ConfigReader::child(map, "tokens")) {
        r.expectList(*tokens, QStringLiteral("api.tokens"));
        for (std::size_t i = 0; i < tokens->size(); ++i) {
            const YAML::Node item = (*tokens)[i];
            config.api.tokens.append(readToken(r, item, QStringLiteral("api.tokens[%1]").arg(i)));
        }
    }
}

void readMonitor(ConfigReader &r, const YAML::Node &map, SystemConfig &config) {
    r.expectMap(map, QStringLiteral("monitor"));
    r.checkKeys(map, {"poll_interval_ms", "push"}, QStringLiteral("monitor"));
    if (const auto poll = ConfigReader::child(map, "poll_interval_ms"))
        config.monitor.pollIntervalMs =
            int(r.integer(*poll, QStringLiteral("monitor.poll_interval_ms"), 50, 3600 * 1000));
    if (const auto push = ConfigReader::child(map, "push"))
        config.monitor.push = r.boolean(*push, QStringLiteral("monitor.push"));
}

void readState(ConfigReader &r, const YAML::Node &map, SystemConfig &config) {
    r.expectMap(map, QStringLiteral("state"));
    r.checkKeys(map, {"dir"}, QStringLiteral("state"));
    // Relative to the config file, as token files are.
    if (const auto dir = ConfigReader::child(map, "dir"))
        config.history.stateDir = r.pathBeside(r.string(*dir, QStringLiteral("state.dir")));
}

void readHistory(ConfigReader &r, const YAML::Node &map, SystemConfig &config) {
    r.expectMap(map, QStringLiteral("history"));
    r.checkKeys(map, {"retention_days", "max_events", "max_audit"}, QStringLiteral("history"));
    if (const auto days = ConfigReader::child(map, "retention_days"))
        config.history.retentionDays =
            int(r.integer(*days, QStringLiteral("history.retention_days"), 1, 36500));
    if (const auto events = ConfigReader::child(map, "max_events"))
        config.history.maxEvents =
            int(r.integer(*events, QStringLiteral("history.max_events"), 100, 100000000));
    if (const auto audit = ConfigReader::child(map, "max_audit"))
        config.history.maxAudit =
            int(r.integer(*audit, QStringLiteral("history.max_audit"), 100, 100000000));
}

} // namespace

ConfigLoad loadConfigText(const QByteArray &yaml, const QString &fileName,
                          const QProcessEnvironment &env) {
    ConfigReader r(fileName);
    SystemConfig config;
    config.path = fileName;
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        if (root.IsDefined() && !root.IsNull())
            r.expectMap(root, QStringLiteral("the configuration"));
        r.checkKeys(root, {"containers", "docker", "api", "monitor", "state", "history"},
                    QStringLiteral("the configuration"));
        if (const auto containers = ConfigReader::child(root, "containers"))
            readContainers(r, *containers, config);
        else
            config.warnings.append(QStringLiteral("%1: no containers configured").arg(fileName));
        readDocker(r, ConfigReader::child(root, "docker").value_or(YAML::Node()), env, config);
        if (const auto api = ConfigReader::child(root, "api"))
            readApi(r, *api, config);
        if (const auto monitor = ConfigReader::child(root, "monitor"))
            readMonitor(r, *monitor, config);
        if (const auto state = ConfigReader::child(root, "state"))
            readState(r, *state, config);
        if (const auto history = ConfigReader::child(root, "history"))
            readHistory(r, *history, config);
    } catch (const ConfigError &e) {
        return {std::nullopt, e};
    } catch (const YAML::Exception &e) {
        return {std::nullopt, ConfigReader::yamlError(e, fileName)};
    }
    config.warnings = r.takeWarnings() + config.warnings;
    return {std::move(config), {}};
}

ConfigLoad loadConfigFile(const QString &path, const QProcessEnvironment &env) {
    QByteArray text;
    if (auto error = ConfigReader::readFile(path, QStringLiteral("the configuration"), &text))
        return {std::nullopt, *error};
    return loadConfigText(text, path, env);
}

QString locateConfigFile(const QString &commandLineValue, const QProcessEnvironment &env) {
    if (!commandLineValue.isEmpty())
        return commandLineValue;
    const QString fromEnv = env.value(QStringLiteral("CONFIG_FILE"));
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QStringLiteral("./config.yml");
}

} // namespace sm

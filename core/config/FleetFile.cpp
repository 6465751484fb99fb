#include "FleetFile.h"

#include "ConfigReader.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QSet>

namespace sm {

namespace {

FleetRobot readRobot(ConfigReader &r, const YAML::Node &item, const QString &at) {
    r.expectMap(item, at);
    r.checkKeys(item, {"name", "url", "token_file"}, at);
    // A token written into the fleet file would travel with it (mail, repositories); refuse it
    // rather than ignore it, or the daemon's 401 would be the only hint.
    if (ConfigReader::child(item, "token"))
        r.fail(item["token"].Mark(),
               QStringLiteral("%1 has a 'token': put it in a file of its own and name that file "
                              "with 'token_file'")
                   .arg(at));
    FleetRobot robot;
    robot.name = r.requiredString(item, "name", at);
    const QString url = r.requiredString(item, "url", at);
    robot.url = normalizeDaemonUrl(url);
    if (robot.url.isEmpty())
        r.fail(item["url"].Mark(),
               QStringLiteral("%1.url '%2' is not an http(s) address such as http://robot:8081")
                   .arg(at, url));
    if (ConfigReader::child(item, "token_file")) {
        const QString name = r.requiredString(item, "token_file", at);
        robot.tokenFile = r.pathBeside(name);
    }
    return robot;
}

} // namespace

FleetLoad loadFleetText(const QByteArray &yaml, const QString &fileName) {
    ConfigReader r(fileName);
    QList<FleetRobot> robots;
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        if (!root.IsDefined() || root.IsNull())
            r.fail(root.Mark(), QStringLiteral("the fleet file is empty: it needs 'robots'"));
        r.expectMap(root, QStringLiteral("the fleet file"));
        r.checkKeys(root, {"robots"}, QStringLiteral("the fleet file"));
        const auto list = ConfigReader::child(root, "robots");
        if (!list)
            r.fail(root.Mark(), QStringLiteral("the fleet file needs 'robots'"));
        r.expectList(*list, QStringLiteral("robots"));
        if (list->size() == 0)
            r.fail(list->Mark(), QStringLiteral("robots is empty"));
        QSet<QString> names;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const YAML::Node item = (*list)[i];
            FleetRobot robot = readRobot(r, item, QStringLiteral("robots[%1]").arg(i));
            if (names.contains(robot.name))
                r.fail(item["name"].Mark(),
                       QStringLiteral("robots[%1]: the name '%2' is taken by an earlier robot")
                           .arg(i)
                           .arg(robot.name));
            names.insert(robot.name);
            robots.append(std::move(robot));
        }
    } catch (const ConfigError &e) {
        return {std::nullopt, e, {}};
    } catch (const YAML::Exception &e) {
        return {std::nullopt, ConfigReader::yamlError(e, fileName), {}};
    }
    return {std::move(robots), {}, r.takeWarnings()};
}

FleetLoad loadFleetFile(const QString &path) {
    QByteArray text;
    if (auto error = ConfigReader::readFile(path, QStringLiteral("the fleet file"), &text))
        return {std::nullopt, *error, {}};
    return loadFleetText(text, path);
}

QByteArray fleetYaml(const QList<FleetRobot> &robots, const QString &fileName) {
    const QDir dir = QFileInfo(fileName).absoluteDir();
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "robots" << YAML::Value << YAML::BeginSeq;
    for (const FleetRobot &robot : robots) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << robot.name.toStdString();
        out << YAML::Key << "url" << YAML::Value << robot.url.toString().toStdString();
        if (!robot.tokenFile.isEmpty()) {
            const QString relative = dir.relativeFilePath(robot.tokenFile);
            const QString shown =
                relative.startsWith(QLatin1String("..")) ? robot.tokenFile : relative;
            out << YAML::Key << "token_file" << YAML::Value << shown.toStdString();
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
    return QByteArray(out.c_str()) + '\n';
}

QString saveFleetFile(const QString &path, const QList<FleetRobot> &robots) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    file.write(fleetYaml(robots, path));
    if (!file.commit())
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    return {};
}

QUrl normalizeDaemonUrl(const QString &text) {
    QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    if (!t.contains(QLatin1String("://")))
        t.prepend(QLatin1String("http://"));
    QUrl u(t, QUrl::StrictMode);
    if (!u.isValid() || u.host().isEmpty() ||
        (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")))
        return {};
    if (u.path() == QLatin1String("/"))
        u.setPath({}); // StripTrailingSlash keeps a lone "/"
    return u.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

} // namespace sm

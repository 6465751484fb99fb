#include "docker/DockerJson.h"

#include "docker/DockerTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sm {

namespace {

QString stripSlash(QString name) {
    if (name.startsWith(QLatin1Char('/')))
        name.remove(0, 1);
    return name;
}

QString str(const QJsonObject &o, const char *key) {
    return o.value(QLatin1String(key)).toString();
}

std::optional<QJsonDocument> parse(const QByteArray &body) {
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    return doc;
}

} // namespace

Result<QList<DockerContainer>> dockerContainersFromEngine(const QByteArray &body) {
    const auto doc = parse(body);
    if (!doc || !doc->isArray())
        return ApiError::badGateway(
            QStringLiteral("Docker answered a container list that is not a JSON array"));
    QList<DockerContainer> out;
    for (const QJsonValue &item : doc->array()) {
        const QJsonObject o = item.toObject();
        const QString id = str(o, "Id");
        if (id.isEmpty())
            return ApiError::badGateway(
                QStringLiteral("Docker answered a container without an Id"));
        const QJsonArray names = o.value(QLatin1String("Names")).toArray();
        DockerContainer c;
        c.id = id;
        c.name = names.isEmpty() ? id.left(12) : stripSlash(names.first().toString());
        c.status = str(o, "State");
        c.image = str(o, "Image");
        c.created = dockerTimeFromUnix(o.value(QLatin1String("Created")).toDouble());
        out.append(c);
    }
    return out;
}

Result<DockerInspect> dockerInspectFromEngine(const QByteArray &body) {
    const auto doc = parse(body);
    if (!doc || !doc->isObject())
        return ApiError::badGateway(
            QStringLiteral("Docker answered an inspect result that is not a JSON object"));
    const QJsonObject o = doc->object();
    const QJsonObject state = o.value(QLatin1String("State")).toObject();
    const QJsonObject config = o.value(QLatin1String("Config")).toObject();
    if (str(o, "Id").isEmpty() || state.isEmpty())
        return ApiError::badGateway(
            QStringLiteral("Docker answered an inspect result without Id or State"));

    DockerInspect out;
    DockerStatus &s = out.status;
    s.id = str(o, "Id");
    s.name = stripSlash(str(o, "Name"));
    // Both fields hold the state word (running, exited, ...), as the old service did with
    // docker-py (container.status and attrs["State"]["Status"]): clients compare them to words.
    s.status = str(state, "Status");
    s.state = s.status;
    s.running = state.value(QLatin1String("Running")).toBool();
    s.restarting = state.value(QLatin1String("Restarting")).toBool();
    s.paused = state.value(QLatin1String("Paused")).toBool();
    // The reference it was created from ("repo:tag"); the top-level Image is only a digest.
    s.image = str(config, "Image");
    if (s.image.isEmpty())
        s.image = str(o, "Image");
    s.created = dockerTimeFromRfc3339(str(o, "Created"));
    s.startedAt = dockerTimeFromRfc3339(str(state, "StartedAt"));
    s.finishedAt = dockerTimeFromRfc3339(str(state, "FinishedAt"));
    // An exit code exists only once the process has ended: null while it runs or before it ever
    // ran.
    const bool neverEnded = s.running || s.paused || s.status == QLatin1String("created");
    const QJsonValue exitCode = state.value(QLatin1String("ExitCode"));
    if (!neverEnded && exitCode.isDouble())
        s.exitCode = exitCode.toInt();
    out.tty = config.value(QLatin1String("Tty")).toBool();
    return out;
}

QString dockerErrorMessage(const QByteArray &body) {
    const auto doc = parse(body);
    if (doc && doc->isObject()) {
        const QString message = doc->object().value(QLatin1String("message")).toString();
        if (!message.isEmpty())
            return message;
    }
    const QString text = QString::fromUtf8(body.left(300)).trimmed();
    return text.isEmpty() ? QStringLiteral("no details") : text;
}

} // namespace sm

#include "docker/DockerEvents.h"

#include "docker/DockerTime.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace sm {

std::optional<DockerEvent> parseDockerEventLine(const QByteArray &line) {
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    const QString type =
        o.value(QLatin1String("Type"))
            .toString(o.value(QLatin1String("Type")).isUndefined() ? QStringLiteral("container")
                                                                   : QString());
    if (type != QLatin1String("container"))
        return std::nullopt;

    const QJsonObject actor = o.value(QLatin1String("Actor")).toObject();
    QString name =
        actor.value(QLatin1String("Attributes")).toObject().value(QLatin1String("name")).toString();
    if (name.isEmpty())
        name = actor.value(QLatin1String("ID")).toString(o.value(QLatin1String("id")).toString());
    QString action = o.value(QLatin1String("Action")).toString();
    if (action.isEmpty())
        action = o.value(QLatin1String("status")).toString();
    if (name.isEmpty() || action.isEmpty())
        return std::nullopt;

    // time is unix seconds; timeNano is the fallback. Out of range values are malformed.
    double seconds = 0;
    const QJsonValue time = o.value(QLatin1String("time"));
    const QJsonValue nano = o.value(QLatin1String("timeNano"));
    if (time.isDouble())
        seconds = time.toDouble();
    else if (nano.isDouble())
        seconds = nano.toDouble() / 1e9;
    else
        return std::nullopt;
    const QString iso = dockerTimeFromUnix(seconds);
    if (iso.isEmpty())
        return std::nullopt;
    return DockerEvent{name, action, iso};
}

} // namespace sm

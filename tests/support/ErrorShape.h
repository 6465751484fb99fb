#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

// The error envelope as clients of the original read it: `{"error", "detail"}`, or, for what
// FastAPI itself answered there (validation, unknown route, wrong method), `detail` first.
namespace errorshape {

inline QStringList keyOrderFor(int status, const QJsonObject &body) {
    const QJsonValue detail = body.value(QLatin1String("detail"));
    const bool fastApi = (status == 422 && detail.isArray()) ||
                         (status == 404 && detail == QJsonValue("Not Found")) ||
                         (status == 405 && detail == QJsonValue("Method Not Allowed"));
    return fastApi ? QStringList{"detail", "error"} : QStringList{"error", "detail"};
}

// The field a 422 names: "tail" for ["query","tail"], "body" for ["body", 0] or ["body"].
inline QString invalidField(const QJsonObject &body) {
    const QJsonArray loc = body.value(QLatin1String("detail"))
                               .toArray()
                               .at(0)
                               .toObject()
                               .value(QLatin1String("loc"))
                               .toArray();
    return loc.size() > 1 && loc.at(1).isString() ? loc.at(1).toString() : loc.at(0).toString();
}

inline QString invalidType(const QJsonObject &body) {
    return body.value(QLatin1String("detail"))
        .toArray()
        .at(0)
        .toObject()
        .value(QLatin1String("type"))
        .toString();
}

} // namespace errorshape

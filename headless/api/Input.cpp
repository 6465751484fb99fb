#include "Input.h"

#include "Validation.h"
#include "http/HttpFront.h"

namespace sm {

const QString &Input::container(const QString &name) {
    if (!m_containers.contains(name))
        keep(ApiError::notFound(QStringLiteral("Container '%1' not found").arg(name)));
    return name;
}

const QString &Input::service(const QString &name) {
    keep(validate::serviceName(name));
    return name;
}

const QString &Input::dockerName(const QString &name) {
    keep(validate::dockerName(name));
    return name;
}

int Input::integer(const char *key, int fallback, int max) {
    const QString name = QString::fromUtf8(key);
    if (!m_exchange.query().hasQueryItem(name))
        return fallback;
    return keep(validate::intQuery(key, m_exchange.query().queryItemValue(name, QUrl::FullyDecoded),
                                   0, max),
                fallback);
}

bool Input::flag(const char *key, bool fallback) {
    const QString name = QString::fromUtf8(key);
    if (!m_exchange.query().hasQueryItem(name))
        return fallback;
    return keep(
        validate::boolQuery(key, m_exchange.query().queryItemValue(name, QUrl::FullyDecoded)),
        fallback);
}

QJsonObject Input::body() {
    return keep(validate::jsonObjectBody(m_exchange.body()), QJsonObject());
}

QString Input::string(const QJsonObject &body, const char *key, const QStringList &allowed) {
    return keep(validate::stringField(body, key, allowed), QString());
}

int Input::integer(const QJsonObject &body, const char *key, int fallback, int min, int max) {
    return keep(validate::intField(body, key, fallback, min, max), fallback);
}

} // namespace sm

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
    return integer(key, fallback, 0, max);
}

int Input::integer(const char *key, int fallback, int min, int max) {
    const QString name = QString::fromUtf8(key);
    if (!m_exchange.query().hasQueryItem(name))
        return fallback;
    return keep(validate::intQuery(key, m_exchange.query().queryItemValue(name, QUrl::FullyDecoded),
                                   min, max),
                fallback);
}

std::optional<qint64> Input::time(const char *key) {
    const QString name = QString::fromUtf8(key);
    if (!m_exchange.query().hasQueryItem(name))
        return std::nullopt;
    const Result<qint64> parsed =
        validate::timeQuery(key, m_exchange.query().queryItemValue(name, QUrl::FullyDecoded));
    if (!parsed.ok()) {
        keep(std::optional<ApiError>(parsed.error()));
        return std::nullopt;
    }
    return parsed.value();
}

QString Input::text(const char *key) {
    const QString name = QString::fromUtf8(key);
    if (!m_exchange.query().hasQueryItem(name))
        return {};
    return keep(
        validate::textQuery(key, m_exchange.query().queryItemValue(name, QUrl::FullyDecoded)),
        QString());
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

#pragma once

#include "model/ApiError.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace sm {

class HttpExchange;

// A request's inputs read through the rules of Validation.h. Each read returns the value (or
// a harmless default) and keeps the first error, so a handler reads what it needs in the
// order the errors should be reported, then returns error() when there is one.
class Input final {
public:
    Input(const HttpExchange &exchange, const QStringList &containers)
        : m_exchange(exchange)
        , m_containers(containers) {}

    // Path segments: a configured container (else 404), a service or Docker container name.
    const QString &container(const QString &name);
    const QString &service(const QString &name);
    const QString &dockerName(const QString &name);

    // Query parameters, `fallback` when absent.
    int integer(const char *key, int fallback, int max);
    // From `min` (1: a limit of 0 makes no sense) up to `max`.
    int integer(const char *key, int fallback, int min, int max);
    bool flag(const char *key, bool fallback);
    // Times (validate::timeQuery) and filter texts; unset or empty when absent.
    std::optional<qint64> time(const char *key);
    QString text(const char *key);

    // The JSON object body and its fields.
    QJsonObject body();
    // A required string; one of `allowed` when given.
    QString string(const QJsonObject &body, const char *key, const QStringList &allowed = {});
    int integer(const QJsonObject &body, const char *key, int fallback, int min, int max);

    const std::optional<ApiError> &error() const { return m_error; }

private:
    template <typename T> T keep(const Result<T> &result, T fallback) {
        if (result.ok())
            return result.value();
        if (!m_error)
            m_error = result.error();
        return fallback;
    }
    void keep(const std::optional<ApiError> &error) {
        if (error && !m_error)
            m_error = error;
    }

    const HttpExchange &m_exchange;
    const QStringList &m_containers;
    std::optional<ApiError> m_error;
};

} // namespace sm

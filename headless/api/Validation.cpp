#include "Validation.h"

#include "model/HistoryJson.h"
#include "model/JsonWriter.h"
#include "rules/Rules.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace sm::validate {

namespace {

QJsonArray loc(const char *where, const char *name) {
    return QJsonArray{QString::fromLatin1(where), QString::fromLatin1(name)};
}

// "'up', 'down' or 'restart'", as pydantic lists a Literal's values.
QString expectedList(const QStringList &allowed) {
    QStringList quoted;
    for (const QString &a : allowed)
        quoted.append(QLatin1Char('\'') + a + QLatin1Char('\''));
    if (quoted.size() < 2)
        return quoted.join(QString());
    const QString last = quoted.takeLast();
    return quoted.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

std::optional<ApiError> bounds(const QJsonArray &at, qint64 value, const QJsonValue &input, int min,
                               int max) {
    if (value < min)
        return fieldError(QStringLiteral("greater_than_equal"), at,
                          QStringLiteral("Input should be greater than or equal to %1").arg(min),
                          input, QJsonObject{{"ge", min}});
    if (value > max)
        return fieldError(QStringLiteral("less_than_equal"), at,
                          QStringLiteral("Input should be less than or equal to %1").arg(max),
                          input, QJsonObject{{"le", max}});
    return std::nullopt;
}

// An integer in pydantic's lax reading of a string: optional sign, digits, surrounding
// whitespace allowed.
std::optional<qint64> parseInteger(const QString &text) {
    static const QRegularExpression integer(QStringLiteral("^\\s*[+-]?[0-9]{1,18}\\s*$"));
    if (!integer.match(text).hasMatch())
        return std::nullopt;
    return text.trimmed().toLongLong();
}

} // namespace

ApiError fieldError(const QString &type, const QJsonArray &at, const QString &msg,
                    const QJsonValue &input, const QJsonObject &ctx) {
    // FastAPI's key order: type, loc, msg, input, ctx.
    QJsonObject item{{"type", type}, {"loc", at}, {"msg", msg}, {"input", input}};
    JsonObjectWriter ordered;
    ordered.add("type", type).add("loc", at).add("msg", msg).add("input", input);
    if (!ctx.isEmpty()) {
        item.insert(QStringLiteral("ctx"), ctx);
        ordered.add("ctx", ctx);
    }
    QStringList where;
    for (const QJsonValue &part : at)
        where.append(part.isString() ? part.toString() : QString::number(part.toInt()));
    return ApiError::fastApi(
        422, QStringLiteral("Invalid request: %1: %2").arg(where.join(QLatin1Char('.')), msg),
        QJsonArray{item}, jsonArray({ordered.toJson()}));
}

namespace {

// A path segment that breaks its rule: pydantic's string_pattern_mismatch with the pattern.
ApiError patternMismatch(const char *name, const QString &value, const QString &pattern) {
    return fieldError(QStringLiteral("string_pattern_mismatch"), loc("path", name),
                      QStringLiteral("String should match pattern '%1'").arg(pattern), value,
                      QJsonObject{{"pattern", pattern}});
}

} // namespace

std::optional<ApiError> serviceName(const QString &value) {
    if (isValidServiceName(value))
        return std::nullopt;
    return patternMismatch("service", value, serviceNamePattern());
}

std::optional<ApiError> dockerName(const QString &value) {
    if (isValidDockerName(value))
        return std::nullopt;
    return patternMismatch("name", value, dockerNamePattern());
}

Result<int> intQuery(const char *name, const QString &text, int min, int max) {
    const auto value = parseInteger(text);
    if (!value)
        return fieldError(
            QStringLiteral("int_parsing"), loc("query", name),
            QStringLiteral("Input should be a valid integer, unable to parse string as an integer"),
            text);
    if (auto error = bounds(loc("query", name), *value, text, min, max))
        return *error;
    return int(*value);
}

Result<bool> boolQuery(const char *name, const QString &text) {
    static const QStringList yes{"1", "on", "t", "true", "y", "yes"};
    static const QStringList no{"0", "off", "f", "false", "n", "no"};
    const QString word = text.trimmed().toLower();
    if (yes.contains(word))
        return true;
    if (no.contains(word))
        return false;
    return fieldError(QStringLiteral("bool_parsing"), loc("query", name),
                      QStringLiteral("Input should be a valid boolean, unable to interpret input"),
                      text);
}

Result<qint64> timeQuery(const char *name, const QString &text) {
    bool isNumber = false;
    const double seconds = text.trimmed().toDouble(&isNumber);
    // Up to the year 9999: anything larger is a typo, not a time.
    if (isNumber && seconds >= 0 && seconds < 253402300800.0)
        return qint64(seconds * 1000);
    if (const auto ms = parseIsoTime(text.trimmed()))
        return *ms;
    return fieldError(QStringLiteral("datetime_parsing"), loc("query", name),
                      QStringLiteral("Input should be a valid datetime: ISO 8601 with a time "
                                     "zone, or Unix seconds"),
                      text);
}

Result<QString> textQuery(const char *name, const QString &text) {
    const bool control =
        std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20; });
    if (text.size() > 255 || control)
        return fieldError(QStringLiteral("string_pattern_mismatch"), loc("query", name),
                          QStringLiteral("At most 255 characters, none of them control characters"),
                          text);
    return text;
}

Result<QJsonObject> jsonObjectBody(const QByteArray &body) {
    if (body.trimmed().isEmpty())
        return fieldError(QStringLiteral("missing"), QJsonArray{QStringLiteral("body")},
                          QStringLiteral("Field required"), QJsonValue::Null);
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        // Qt counts an illegal value's offset past its first character; Python's decoder, whose
        // position the original reported, at it.
        return fieldError(
            QStringLiteral("json_invalid"),
            QJsonArray{QStringLiteral("body"), error.error == QJsonParseError::IllegalValue
                                                   ? qMax(0, error.offset - 1)
                                                   : error.offset},
            QStringLiteral("JSON decode error"), QJsonObject{},
            QJsonObject{{"error", error.errorString()}});
    if (!doc.isObject())
        return fieldError(
            QStringLiteral("model_attributes_type"), QJsonArray{QStringLiteral("body")},
            QStringLiteral("Input should be a valid dictionary or object to extract fields from"),
            doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(QString::fromUtf8(body)));
    return doc.object();
}

Result<QString> stringField(const QJsonObject &body, const char *key, const QStringList &allowed) {
    const QJsonValue value = body.value(QLatin1String(key));
    if (value.isUndefined())
        return fieldError(QStringLiteral("missing"), loc("body", key),
                          QStringLiteral("Field required"), body);
    if (!allowed.isEmpty() && !(value.isString() && allowed.contains(value.toString()))) {
        const QString expected = expectedList(allowed);
        return fieldError(QStringLiteral("literal_error"), loc("body", key),
                          QStringLiteral("Input should be %1").arg(expected), value,
                          QJsonObject{{"expected", expected}});
    }
    if (!value.isString())
        return fieldError(QStringLiteral("string_type"), loc("body", key),
                          QStringLiteral("Input should be a valid string"), value);
    return value.toString();
}

Result<int> intField(const QJsonObject &body, const char *key, int fallback, int min, int max) {
    const QJsonValue value = body.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return fallback;
    const QJsonArray at = loc("body", key);
    qint64 number = 0;
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (d != std::floor(d) || !std::isfinite(d))
            return fieldError(
                QStringLiteral("int_from_float"), at,
                QStringLiteral("Input should be a valid integer, got a number with a fractional "
                               "part"),
                value);
        if (std::abs(d) > 1e15)
            return bounds(at, d < 0 ? qint64(min) - 1 : qint64(max) + 1, value, min, max).value();
        number = qint64(d);
    } else if (value.isString()) {
        const auto parsed = parseInteger(value.toString());
        if (!parsed)
            return fieldError(QStringLiteral("int_parsing"), at,
                              QStringLiteral("Input should be a valid integer, unable to parse "
                                             "string as an integer"),
                              value);
        number = *parsed;
    } else {
        return fieldError(QStringLiteral("int_type"), at,
                          QStringLiteral("Input should be a valid integer"), value);
    }
    if (auto error = bounds(at, number, value, min, max))
        return *error;
    return int(number);
}

} // namespace sm::validate

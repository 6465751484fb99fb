#include "JsonFields.h"

#include <climits>
#include <cmath>

namespace sm::fields {

namespace {

// An integral JSON number that a double holds exactly.
std::optional<qint64> integer(const QJsonValue &v) {
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || std::trunc(d) != d || std::abs(d) > 9.0e15)
        return std::nullopt;
    return static_cast<qint64>(d);
}

} // namespace

bool FieldReader::has(const char *key) const {
    const QJsonValue v = value(key);
    return !v.isUndefined() && !v.isNull();
}

void FieldReader::read(const char *key, QString &out, bool orNull) {
    const QJsonValue v = value(key);
    if (!v.isString())
        fail(key, "a string", orNull);
    out = v.toString();
}

void FieldReader::read(const char *key, bool &out, bool orNull) {
    const QJsonValue v = value(key);
    if (!v.isBool())
        fail(key, "a boolean", orNull);
    out = v.toBool();
}

void FieldReader::read(const char *key, qint64 &out, bool orNull) {
    const auto v = integer(value(key));
    if (!v)
        fail(key, "an integer", orNull);
    out = v.value_or(0);
}

void FieldReader::read(const char *key, int &out, bool orNull) {
    const auto v = integer(value(key));
    if (!v || *v < INT_MIN || *v > INT_MAX)
        fail(key, "a 32-bit integer", orNull);
    out = v ? int(*v) : 0;
}

void FieldReader::read(const char *key, QJsonValue &out, bool) {
    out = value(key);
    if (out.isUndefined())
        out = QJsonValue::Null;
}

void FieldReader::fail(const char *key, const char *expected, bool orNull) {
    if (m_error)
        return;
    m_error = ApiError::badGateway(QStringLiteral("Invalid %1: field '%2' is not %3%4")
                                       .arg(QLatin1String(m_what), QLatin1String(key),
                                            QLatin1String(expected),
                                            orNull ? QLatin1String(" or null") : QLatin1String()));
    m_error->detail = QString::fromLatin1(key);
}

} // namespace sm::fields

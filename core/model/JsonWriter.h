#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QList>

#include <optional>

namespace sm {

// Builds a JSON object whose keys keep the order they were added in. QJsonObject sorts its
// keys, but existing REST clients and the contract expect the documented field order.
class JsonObjectWriter final {
public:
    JsonObjectWriter &add(const char *key, const QJsonValue &value);
    JsonObjectWriter &add(const char *key, const QString &value);
    JsonObjectWriter &add(const char *key, const char *value); // UTF-8
    JsonObjectWriter &add(const char *key, bool value);
    JsonObjectWriter &add(const char *key, qint64 value);
    JsonObjectWriter &add(const char *key, int value) { return add(key, qint64(value)); }
    template <typename T> JsonObjectWriter &add(const char *key, const std::optional<T> &value) {
        return value ? add(key, *value) : addRaw(key, "null");
    }
    // Adds already serialized JSON (a nested ordered object or array).
    JsonObjectWriter &addRaw(const char *key, QByteArrayView json);

    QByteArray toJson() const & { return m_body + '}'; }
    // The last use of a writer: hands over its buffer instead of copying it.
    QByteArray toJson() && { return std::move(m_body += '}'); }

private:
    void appendKey(const char *key);
    QByteArray m_body = "{";
};

// Serializes one JSON value compactly (objects nested inside keep QJsonObject's key order).
QByteArray toJsonText(const QJsonValue &value);
// Appends a JSON string literal, escaped.
void appendJsonString(QByteArray &out, const QString &text);
void appendJsonString(QByteArray &out, QByteArrayView utf8);
// "[a,b,c]" from already serialized items.
QByteArray jsonArray(const QList<QByteArray> &items);

} // namespace sm

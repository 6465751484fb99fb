#include "JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sm {

void appendJsonString(QByteArray &out, const QString &text) {
    static const char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (u < 0x20) {
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

QByteArray toJsonText(const QJsonValue &value) {
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return "null";
    case QJsonValue::Bool:
        return value.toBool() ? "true" : "false";
    case QJsonValue::Double: {
        const double d = value.toDouble();
        const auto i = static_cast<qint64>(d);
        if (static_cast<double>(i) == d)
            return QByteArray::number(i);
        return QByteArray::number(d, 'g', 17);
    }
    case QJsonValue::String: {
        QByteArray out;
        appendJsonString(out, value.toString());
        return out;
    }
    case QJsonValue::Array:
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    case QJsonValue::Object:
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    }
    return "null";
}

QByteArray jsonArray(const QList<QByteArray> &items) {
    QByteArray out = "[";
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += items[i];
    }
    out += ']';
    return out;
}

void JsonObjectWriter::appendKey(const char *key) {
    if (m_body.size() > 1)
        m_body += ',';
    appendJsonString(m_body, QString::fromUtf8(key));
    m_body += ':';
}

JsonObjectWriter &JsonObjectWriter::add(const char *key, const QJsonValue &value) {
    return addRaw(key, toJsonText(value));
}

JsonObjectWriter &JsonObjectWriter::add(const char *key, const QString &value) {
    appendKey(key);
    appendJsonString(m_body, value);
    return *this;
}

JsonObjectWriter &JsonObjectWriter::add(const char *key, const char *value) {
    return add(key, QString::fromUtf8(value));
}

JsonObjectWriter &JsonObjectWriter::add(const char *key, bool value) {
    return addRaw(key, value ? "true" : "false");
}

JsonObjectWriter &JsonObjectWriter::add(const char *key, qint64 value) {
    return addRaw(key, QByteArray::number(value));
}

JsonObjectWriter &JsonObjectWriter::addRaw(const char *key, const QByteArray &json) {
    appendKey(key);
    m_body += json;
    return *this;
}

} // namespace sm

#include "JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sm {

namespace {

bool needsEscape(char16_t c) {
    return c < 0x20 || c == '"' || c == '\\';
}

void appendEscape(QByteArray &out, uchar c) {
    static const char hex[] = "0123456789abcdef";
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
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xf];
    }
}

} // namespace

void appendJsonString(QByteArray &out, QByteArrayView utf8) {
    // Plain runs are appended whole; no reserve(), which would defeat QByteArray's growth.
    out += '"';
    const char *run = utf8.data();
    const char *const end = run + utf8.size();
    for (const char *p = run; p != end; ++p) {
        if (!needsEscape(uchar(*p)))
            continue;
        out.append(run, p - run);
        appendEscape(out, uchar(*p));
        run = p + 1;
    }
    out.append(run, end - run);
    out += '"';
}

void appendJsonString(QByteArray &out, const QString &text) {
    // Most text (names, states, times) is plain ASCII: copied straight from UTF-16, without a
    // UTF-8 copy first. Anything else takes the general way.
    const qsizetype start = out.size();
    out.resize(start + text.size() + 2);
    char *to = out.data() + start;
    *to++ = '"';
    for (const QChar c : text) {
        if (c.unicode() >= 0x80 || needsEscape(c.unicode())) {
            out.truncate(start);
            return appendJsonString(out, QByteArrayView(text.toUtf8()));
        }
        *to++ = char(c.unicode());
    }
    *to = '"';
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
    qsizetype size = 2;
    for (const QByteArray &item : items)
        size += item.size() + 1;
    QByteArray out;
    out.reserve(size);
    out += '[';
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
    appendJsonString(m_body, QByteArrayView(key));
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
    appendKey(key);
    appendJsonString(m_body, QByteArrayView(value));
    return *this;
}

JsonObjectWriter &JsonObjectWriter::add(const char *key, bool value) {
    return addRaw(key, value ? "true" : "false");
}

JsonObjectWriter &JsonObjectWriter::add(const char *key, qint64 value) {
    appendKey(key);
    m_body += QByteArray::number(value);
    return *this;
}

JsonObjectWriter &JsonObjectWriter::addRaw(const char *key, QByteArrayView json) {
    appendKey(key);
    m_body += json;
    return *this;
}

} // namespace sm

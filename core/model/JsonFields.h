#pragma once

#include "model/ApiError.h"
#include "model/JsonWriter.h"

#include <QJsonObject>

#include <optional>
#include <tuple>

// Field lists: a JSON shape declared once as a table of key <-> member, which both its writer
// (straight to bytes, in table order) and its reader (with typed checks) walk. A member's C++
// type gives its JSON kind: QString a string, bool true/false, int a 32-bit integer, qint64 an
// integer, QJsonValue anything, std::optional<T> a T or null (null when unset; absent reads as
// unset).
namespace sm::fields {

// One key <-> member. An omitted field is left out when its member is unset or empty and may
// be absent when read; any other non-optional field must be there.
template <typename T, typename M> struct Member {
    const char *key;
    M T::*member;
    bool omitted = false;
};
template <typename T, typename M> constexpr Member<T, M> field(const char *key, M T::*member) {
    return {key, member};
}
template <typename T, typename M> constexpr Member<T, M> omitted(const char *key, M T::*member) {
    return {key, member, true};
}

// A fixed text the writer always sends and the reader skips (e.g. "result": "ok").
struct Constant {
    const char *key;
    const char *text;
};
constexpr Constant constant(const char *key, const char *text) {
    return {key, text};
}

// A bool sent as one of two words; when read, an unknown word keeps the default. An optional
// one may also be absent.
template <typename T> struct Words {
    const char *key;
    bool T::*member;
    const char *yes;
    const char *no;
    bool optional = false;
};
template <typename T>
constexpr Words<T> words(const char *key, bool T::*member, const char *yes, const char *no) {
    return {key, member, yes, no};
}
template <typename T>
constexpr Words<T> optionalWords(const char *key, bool T::*member, const char *yes,
                                 const char *no) {
    return {key, member, yes, no, true};
}

// A member with its own encoding; `read` returns false when the value is malformed.
template <typename T, typename M> struct Custom {
    const char *key;
    M T::*member;
    void (*write)(JsonObjectWriter &w, const char *key, const M &value);
    bool (*read)(const QJsonValue &value, M &out);
    const char *expected; // what `read` wants, for the error message
};
template <typename T, typename M>
constexpr Custom<T, M> custom(const char *key, M T::*member,
                              void (*write)(JsonObjectWriter &, const char *, const M &),
                              bool (*read)(const QJsonValue &, M &), const char *expected) {
    return {key, member, write, read, expected};
}

// Reads typed values from an upstream JSON object and remembers the first problem (a 502: the
// peer misbehaved), so a reader takes every field in a row and checks once at the end.
class FieldReader final {
public:
    FieldReader(const QJsonObject &object, const char *what)
        : m_object(object)
        , m_what(what) {}

    QJsonValue value(const char *key) const { return m_object.value(QLatin1String(key)); }
    bool has(const char *key) const; // present and not null
    void read(const char *key, QString &out, bool orNull = false);
    void read(const char *key, bool &out, bool orNull = false);
    void read(const char *key, int &out, bool orNull = false);
    void read(const char *key, qint64 &out, bool orNull = false);
    void read(const char *key, QJsonValue &out, bool = false);
    template <typename V> void read(const char *key, std::optional<V> &out, bool = true) {
        out.reset();
        if (has(key))
            read(key, out.emplace(), true);
    }
    void fail(const char *key, const char *expected, bool orNull = false);

    template <typename T> Result<T> finish(T value) const {
        if (m_error)
            return *m_error;
        return value;
    }

private:
    const QJsonObject &m_object;
    const char *m_what;
    std::optional<ApiError> m_error;
};

template <typename M> bool isUnset(const M &value) {
    if constexpr (requires { value.has_value(); })
        return !value.has_value();
    else if constexpr (requires { value.isEmpty(); })
        return value.isEmpty();
    else
        return false;
}

// Writing one field of each kind.
template <typename T, typename M>
void write(JsonObjectWriter &w, const T &v, const Member<T, M> &f) {
    if (!f.omitted || !isUnset(v.*f.member))
        w.add(f.key, v.*f.member);
}
template <typename T> void write(JsonObjectWriter &w, const T &, const Constant &f) {
    w.add(f.key, f.text);
}
template <typename T> void write(JsonObjectWriter &w, const T &v, const Words<T> &f) {
    w.add(f.key, v.*f.member ? f.yes : f.no);
}
template <typename T, typename M>
void write(JsonObjectWriter &w, const T &v, const Custom<T, M> &f) {
    f.write(w, f.key, v.*f.member);
}

// Reading one field of each kind.
template <typename T, typename M> void read(FieldReader &r, T &v, const Member<T, M> &f) {
    if (!f.omitted || r.has(f.key))
        r.read(f.key, v.*f.member, f.omitted);
}
template <typename T> void read(FieldReader &, T &, const Constant &) {}
template <typename T> void read(FieldReader &r, T &v, const Words<T> &f) {
    if (f.optional && !r.has(f.key))
        return;
    QString text;
    r.read(f.key, text, f.optional);
    if (text == QLatin1String(f.yes) || text == QLatin1String(f.no))
        v.*f.member = text == QLatin1String(f.yes);
}
template <typename T, typename M> void read(FieldReader &r, T &v, const Custom<T, M> &f) {
    if (!f.read(r.value(f.key), v.*f.member))
        r.fail(f.key, f.expected);
}

// Whole tables.
template <typename T, typename... F>
void writeFields(JsonObjectWriter &w, const T &v, const std::tuple<F...> &table) {
    std::apply([&](const F &...fields) { (write(w, v, fields), ...); }, table);
}
template <typename T, typename... F> QByteArray writeObject(const T &v, const std::tuple<F...> &t) {
    JsonObjectWriter w;
    writeFields(w, v, t);
    return std::move(w).toJson();
}

template <typename T, typename... F>
void readFields(FieldReader &r, T &v, const std::tuple<F...> &table) {
    std::apply([&](const F &...fields) { (read(r, v, fields), ...); }, table);
}
// `v` holds the defaults of what may be absent.
template <typename T, typename... F>
Result<T> readObject(const QJsonObject &o, const char *what, const std::tuple<F...> &table,
                     T v = {}) {
    FieldReader r(o, what);
    readFields(r, v, table);
    return r.finish(std::move(v));
}

// Whether the table names `key` (to tell a peer's extra keys from known ones).
template <typename... F> bool hasKey(const std::tuple<F...> &table, const QString &key) {
    return std::apply([&](const F &...f) { return ((key == QLatin1String(f.key)) || ...); }, table);
}
// Whether any optional member of the table is set.
template <typename T, typename... F> bool anySet(const T &v, const std::tuple<F...> &table) {
    return std::apply([&](const F &...f) { return (!isUnset(v.*f.member) || ...); }, table);
}

} // namespace sm::fields

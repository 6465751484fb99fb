#include "StatusSplice.h"

#include "model/JsonWriter.h"

#include <cstring>

namespace sm::statussplice {

namespace {

// What a value may be; each is what ModelJson.cpp's reader accepts for the member and its
// writer would spell again byte for byte.
enum class Kind {
    String,       // QString
    StringOrNull, // std::optional<QString>
    Bool,         // bool
    BoolOrNull,   // std::optional<bool>
    Int64OrNull,  // std::optional<qint64>
    Int32OrNull,  // std::optional<int>
    DeathOrNull,  // std::optional<ServiceDeath>
};

struct Key {
    QByteArrayView text; // "key": as the agent writes it, the comma before it not included
    Kind kind;
};

// The agent's Status (agent-api.md), in its order: the old API's fields, the extended ones,
// then those read from s6's death tally (sent all together or, by an older agent, not at all).
constexpr Key kAgentFields[] = {
    {"\"name\":", Kind::String},
    {"\"raw\":", Kind::String},
    {"\"is_up\":", Kind::Bool},
    {"\"pid\":", Kind::Int64OrNull},
    {"\"uptime_seconds\":", Kind::Int64OrNull},
};
constexpr Key kExtendedFields[] = {
    {"\"normally_up\":", Kind::BoolOrNull}, {"\"want_up\":", Kind::BoolOrNull},
    {"\"ready\":", Kind::BoolOrNull},       {"\"paused\":", Kind::BoolOrNull},
    {"\"exit_code\":", Kind::Int32OrNull},  {"\"signal\":", Kind::StringOrNull},
    {"\"since\":", Kind::StringOrNull},
};
constexpr Key kDeathFields[] = {
    {"\"deaths_last_minute\":", Kind::Int32OrNull},
    {"\"last_death\":", Kind::DeathOrNull},
    {"\"deaths_last_hour\":", Kind::Int32OrNull},
    {"\"failed\":", Kind::BoolOrNull},
};
// One death (last_death).
constexpr Key kDeath[] = {
    {"\"time\":", Kind::String},
    {"\"exit_code\":", Kind::Int32OrNull},
    {"\"signal\":", Kind::StringOrNull},
};

// A forward-only reader over the answer; every step fails (returns false) rather than guess.
class Scanner {
public:
    explicit Scanner(QByteArrayView text)
        : m_p(text.data())
        , m_end(text.data() + text.size()) {}

    bool atEnd() const { return m_p == m_end; }

    bool literal(QByteArrayView text) {
        const qsizetype n = text.size();
        if (m_end - m_p < n || std::memcmp(m_p, text.data(), size_t(n)) != 0)
            return false;
        m_p += n;
        return true;
    }
    bool peek(char c) const { return m_p != m_end && *m_p == c; }

    // A string of printable ASCII whose only escapes are those both writers spell alike.
    bool string(QByteArrayView *body = nullptr) {
        if (!literal("\""))
            return false;
        const char *const start = m_p;
        for (const char *p = start; p != m_end; ++p) {
            const auto c = uchar(*p);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
                continue; // the common case: a plain character
            if (c == '"') {
                if (body)
                    *body = QByteArrayView(start, p - start);
                m_p = p + 1;
                return true;
            }
            if (c != '\\' || ++p == m_end)
                return false;
            switch (*p) {
            case '"':
            case '\\':
            case 'n':
            case 'r':
            case 't':
                break;
            default: // \b, \f, \/ and \u are spelled differently by the daemon
                return false;
            }
        }
        return false;
    }

    // An integer as the daemon writes one: no '+', no leading zero, no "-0", no fraction or
    // exponent, and small enough for the member (and exact as a double).
    bool integer(int maxDigits) {
        const bool negative = literal("-");
        const char *digits = m_p;
        while (m_p != m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        const qsizetype n = m_p - digits;
        // What follows must be ',' or '}', which the caller checks: no fraction or exponent.
        return n > 0 && n <= maxDigits && (*digits != '0' || (n == 1 && !negative));
    }

    // One value of `kind`; `set` tells whether it was anything but null.
    bool value(Kind kind, bool &set) {
        set = !peek('n');
        if (!set)
            return kind != Kind::String && kind != Kind::Bool && literal("null");
        switch (kind) {
        case Kind::String:
        case Kind::StringOrNull:
            return string();
        case Kind::Bool:
        case Kind::BoolOrNull:
            return peek('t') ? literal("true") : literal("false");
        case Kind::Int64OrNull:
            return integer(15);
        case Kind::Int32OrNull:
            return integer(9);
        case Kind::DeathOrNull:
            return object(kDeath);
        }
        return false;
    }

    // `"key":value` for each of `keys`, comma-separated; `anySet` tells whether one was not null.
    template <qsizetype N> bool members(const Key (&keys)[N], bool *anySet = nullptr) {
        for (qsizetype i = 0; i < N; ++i) {
            bool set = false;
            if ((i > 0 && !literal(",")) || !literal(keys[i].text) || !value(keys[i].kind, set))
                return false;
            if (anySet)
                *anySet = *anySet || set;
        }
        return true;
    }

    template <qsizetype N> bool object(const Key (&keys)[N]) {
        return literal("{") && members(keys) && literal("}");
    }

    // A whole Status object; `status` views into the text.
    bool status(AgentStatusBytes &status) {
        const char *open = m_p;
        if (!literal("{"))
            return false;
        Scanner name(QByteArrayView(m_p, m_end - m_p));
        if (!name.literal("\"name\":") || !name.string(&status.name))
            return false;
        bool extendedSet = false;
        // The writer leaves the extended fields out when none is set: an object that sends them
        // all null would not come out the same.
        if (!members(kAgentFields) || !literal(",") || !members(kExtendedFields, &extendedSet) ||
            !extendedSet)
            return false;
        if (literal(",") && !members(kDeathFields))
            return false;
        if (!literal("}"))
            return false;
        status.fields = QByteArrayView(open + 1, m_p - open - 1);
        return true;
    }

private:
    const char *m_p;
    const char *m_end;
};

void appendPlace(QByteArray &out, const QString &container) {
    out += "{\"container\":";
    appendJsonString(out, container);
    out += ",\"service\":";
}

void appendFields(QByteArray &out, const QString &label, const AgentStatusBytes &status) {
    out += ",\"service_label\":";
    appendJsonString(out, label);
    out += ',';
    out += status.fields;
}

} // namespace

std::optional<QList<AgentStatusBytes>> scanStatusList(QByteArrayView body) {
    Scanner s(body);
    if (!s.literal("{\"statuses\":["))
        return std::nullopt;
    QList<AgentStatusBytes> out;
    if (!s.peek(']')) {
        do {
            AgentStatusBytes status;
            if (!s.status(status))
                return std::nullopt;
            out.append(status);
        } while (s.literal(","));
    }
    if (!s.literal("]}") || !s.atEnd())
        return std::nullopt;
    return out;
}

std::optional<AgentStatusBytes> scanStatus(QByteArrayView body) {
    Scanner s(body);
    AgentStatusBytes status;
    if (!s.status(status) || !s.atEnd())
        return std::nullopt;
    return status;
}

QString decodeName(QByteArrayView name) {
    if (!name.contains('\\'))
        return QString::fromLatin1(name);
    QByteArray text;
    text.reserve(name.size());
    for (qsizetype i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c == '\\' && i + 1 < name.size()) {
            switch (name[++i]) {
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            default: // '"' and '\\' stand for themselves
                c = name[i];
            }
        }
        text += c;
    }
    return QString::fromLatin1(text);
}

void appendRestStatus(QByteArray &out, const QString &container, const QString &service,
                      const QString &label, const AgentStatusBytes &status) {
    appendPlace(out, container);
    appendJsonString(out, service);
    appendFields(out, label, status);
}

void appendRestStatus(QByteArray &out, const QString &container, const QString &label,
                      const AgentStatusBytes &status) {
    appendPlace(out, container);
    // Its escapes are ones the daemon's writer spells the same way.
    out += '"';
    out += status.name;
    out += '"';
    appendFields(out, label, status);
}

} // namespace sm::statussplice

#include "Json.h"

#include <cstdint>

namespace agent {

namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when invalid (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF).
size_t utf8SequenceLength(std::string_view s, size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80)
        return 1;
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf)
        len = 2;
    else if (b0 >= 0xe0 && b0 <= 0xef) {
        len = 3;
        if (b0 == 0xe0)
            lo = 0xa0;
        if (b0 == 0xed)
            hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        len = 4;
        if (b0 == 0xf0)
            lo = 0x90;
        if (b0 == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (i + len > s.size())
        return 0;
    for (size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf))
            return 0;
    }
    return len;
}

void appendUtf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

class Parser {
public:
    explicit Parser(std::string_view text)
        : m_s(text) {}

    bool parseTop(JsonObject &out) {
        skipSpace();
        if (!peek('{'))
            return fail("The body must be a JSON object.");
        if (!parseObject(0, &out))
            return false;
        skipSpace();
        if (m_i != m_s.size())
            return fail("Unexpected data after the JSON object.");
        return true;
    }

    std::string error;

private:
    static constexpr int kMaxDepth = 32;

    bool fail(const char *why) {
        if (error.empty())
            error = why;
        return false;
    }
    bool peek(char c) const { return m_i < m_s.size() && m_s[m_i] == c; }
    void skipSpace() {
        while (m_i < m_s.size() &&
               (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
            ++m_i;
    }
    bool literal(std::string_view word) {
        if (m_s.substr(m_i, word.size()) != word)
            return fail("Invalid JSON literal.");
        m_i += word.size();
        return true;
    }

    bool parseValue(int depth, char &kind, std::string *str) {
        skipSpace();
        if (m_i >= m_s.size())
            return fail("Unexpected end of JSON.");
        const char c = m_s[m_i];
        if (c == '"') {
            kind = 's';
            std::string tmp;
            return parseString(str ? *str : tmp);
        }
        if (c == '{')
            return kind = 'o', parseObject(depth + 1, nullptr);
        if (c == '[')
            return kind = 'a', parseArray(depth + 1);
        if (c == 't')
            return kind = 'b', literal("true");
        if (c == 'f')
            return kind = 'b', literal("false");
        if (c == 'n')
            return kind = 'z', literal("null");
        return kind = 'n', parseNumber();
    }

    bool parseObject(int depth, JsonObject *out) {
        if (depth > kMaxDepth)
            return fail("JSON nested too deeply.");
        ++m_i; // '{'
        skipSpace();
        if (peek('}'))
            return ++m_i, true;
        for (;;) {
            skipSpace();
            std::string key;
            if (!peek('"') || !parseString(key))
                return fail("Expected a string key in the JSON object.");
            skipSpace();
            if (!peek(':'))
                return fail("Expected ':' in the JSON object.");
            ++m_i;
            char kind = 0;
            std::string value;
            if (!parseValue(depth, kind, out ? &value : nullptr))
                return false;
            if (out) {
                if (!out->kinds.emplace(key, kind).second)
                    return fail("Duplicate key in the JSON object.");
                if (kind == 's')
                    out->strings.emplace(std::move(key), std::move(value));
            }
            skipSpace();
            if (peek(','))
                ++m_i;
            else if (peek('}'))
                return ++m_i, true;
            else
                return fail("Expected ',' or '}' in the JSON object.");
        }
    }

    bool parseArray(int depth) {
        if (depth > kMaxDepth)
            return fail("JSON nested too deeply.");
        ++m_i; // '['
        skipSpace();
        if (peek(']'))
            return ++m_i, true;
        for (;;) {
            char kind = 0;
            if (!parseValue(depth, kind, nullptr))
                return false;
            skipSpace();
            if (peek(','))
                ++m_i;
            else if (peek(']'))
                return ++m_i, true;
            else
                return fail("Expected ',' or ']' in the JSON array.");
        }
    }

    bool digits() {
        const size_t start = m_i;
        while (m_i < m_s.size() && m_s[m_i] >= '0' && m_s[m_i] <= '9')
            ++m_i;
        return m_i > start;
    }

    bool parseNumber() {
        if (peek('-'))
            ++m_i;
        if (peek('0'))
            ++m_i;
        else if (!digits())
            return fail("Invalid JSON value.");
        if (peek('.')) {
            ++m_i;
            if (!digits())
                return fail("Invalid JSON number.");
        }
        if (peek('e') || peek('E')) {
            ++m_i;
            if (peek('+') || peek('-'))
                ++m_i;
            if (!digits())
                return fail("Invalid JSON number.");
        }
        return true;
    }

    bool hex4(uint32_t &v) {
        if (m_i + 4 > m_s.size())
            return false;
        v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_s[m_i++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<uint32_t>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    bool parseString(std::string &out) {
        ++m_i; // '"'
        while (m_i < m_s.size()) {
            const auto c = static_cast<unsigned char>(m_s[m_i]);
            if (c == '"')
                return ++m_i, true;
            if (c < 0x20)
                return fail("Control character in a JSON string.");
            if (c != '\\') {
                const size_t len = utf8SequenceLength(m_s, m_i);
                if (len == 0)
                    return fail("The body is not valid UTF-8.");
                out.append(m_s.substr(m_i, len));
                m_i += len;
                continue;
            }
            if (++m_i >= m_s.size())
                break;
            const char e = m_s[m_i++];
            switch (e) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                uint32_t cp = 0;
                if (!hex4(cp))
                    return fail("Invalid \\u escape in a JSON string.");
                if (cp >= 0xdc00 && cp <= 0xdfff)
                    return fail("Unpaired surrogate in a JSON string.");
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    uint32_t low = 0;
                    if (m_s.substr(m_i, 2) != "\\u")
                        return fail("Unpaired surrogate in a JSON string.");
                    m_i += 2;
                    if (!hex4(low) || low < 0xdc00 || low > 0xdfff)
                        return fail("Unpaired surrogate in a JSON string.");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                return fail("Invalid escape in a JSON string.");
            }
        }
        return fail("Unterminated JSON string.");
    }

    std::string_view m_s;
    size_t m_i = 0;
};

} // namespace

bool parseJsonObject(std::string_view text, JsonObject &out, std::string &error) {
    out = JsonObject();
    Parser parser(text);
    const bool ok = parser.parseTop(out);
    if (!ok)
        error = parser.error;
    return ok;
}

void appendJsonString(std::string &out, std::string_view value) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < value.size();) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c >= 0x80) {
            const size_t len = utf8SequenceLength(value, i);
            if (len == 0) {
                out += "\xef\xbf\xbd";
                ++i;
            } else {
                out.append(value.substr(i, len));
                i += len;
            }
            continue;
        }
        ++i;
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
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

} // namespace agent

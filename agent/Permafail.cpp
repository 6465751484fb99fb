#include "Permafail.h"

#include <algorithm>
#include <string>
#include <strings.h>

namespace agent {

namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The words of a shell or execline script, as far as finding a command and its
// first arguments needs: blanks split, quotes group (and are removed), a
// backslash escapes the next character outside single quotes, and '#' at the
// start of a word comments out the rest of the line.
std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        if (isBlank(text[i])) {
            ++i;
            continue;
        }
        if (text[i] == '#') {
            while (i < text.size() && text[i] != '\n')
                ++i;
            continue;
        }
        std::string word;
        while (i < text.size() && !isBlank(text[i])) {
            const char c = text[i++];
            if (c == '\'' || c == '"') {
                while (i < text.size() && text[i] != c) {
                    if (c == '"' && text[i] == '\\' && i + 1 < text.size())
                        ++i;
                    word += text[i++];
                }
                ++i; // the closing quote
            } else if (c == '\\' && i < text.size()) {
                word += text[i++];
            } else {
                word += c;
            }
        }
        out.push_back(std::move(word));
    }
    return out;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Leading decimal digits (at most `limit`); the count of digits read, 0 for none.
size_t scanUint(std::string_view s, size_t at, uint64_t &value, uint64_t limit) {
    size_t n = 0;
    value = 0;
    while (at + n < s.size() && isDigit(s[at + n])) {
        value = value * 10 + uint64_t(s[at + n] - '0');
        if (value > limit)
            value = limit + 1; // stays out of range, without overflowing
        ++n;
    }
    return n;
}

// A whole word of digits.
std::optional<uint64_t> wholeUint(std::string_view s) {
    uint64_t value = 0;
    if (s.empty() || scanUint(s, 0, value, UINT32_MAX) != s.size() || value > UINT32_MAX)
        return std::nullopt;
    return value;
}

// skalibs' sig0_scan: a name ("TERM") or a number, with an optional "SIG" prefix in any case.
std::optional<int> signalNumber(std::string_view name) {
    const auto plain = [](std::string_view s) -> std::optional<int> {
        if (s.empty())
            return std::nullopt;
        uint64_t n = 0;
        if (scanUint(s, 0, n, 64) == s.size())
            return n >= 1 && n <= 64 ? std::optional<int>(int(n)) : std::nullopt;
        for (int sig = 1; sig < 32; ++sig)
            if (signalName(sig).substr(3) == s)
                return sig;
        return std::nullopt;
    };
    if (const auto sig = plain(name))
        return sig;
    if (name.size() > 3 && strncasecmp(name.data(), "SIG", 3) == 0)
        return plain(name.substr(3));
    return std::nullopt;
}

bool isListSeparator(char c) {
    return c == ',' || c == ';' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// s6-permafailon's STATUSLIST, scanned as it scans it; false where it would refuse it.
bool scanStatusList(std::string_view s, PermafailRule &rule) {
    size_t pos = 0;
    while (pos < s.size()) {
        uint64_t from = 0;
        if (const size_t len = scanUint(s, pos, from, 255)) {
            if (from > 255)
                return false;
            pos += len;
            uint64_t to = from;
            if (pos < s.size() && s[pos] == '-') {
                ++pos;
                const size_t more = scanUint(s, pos, to, 255);
                if (!more || to > 255 || to < from)
                    return false;
                pos += more;
            }
            for (uint64_t code = from; code <= to; ++code)
                rule.exitCodes.set(size_t(code));
        } else {
            size_t next = pos;
            while (next < s.size() && !isListSeparator(s[next]))
                ++next;
            const auto sig = signalNumber(s.substr(pos, next - pos));
            if (!sig)
                return false;
            rule.termSignals.set(size_t(*sig));
            pos = next;
        }
        while (pos < s.size() && isListSeparator(s[pos]))
            ++pos;
    }
    return true;
}

bool isPermafailon(std::string_view word) {
    constexpr std::string_view name = "s6-permafailon";
    return word == name || (word.size() > name.size() && word.ends_with(name) &&
                            word[word.size() - name.size() - 1] == '/');
}

bool earlier(const Tai64n &a, const Tai64n &b) {
    return a.label < b.label || (a.label == b.label && a.nano < b.nano);
}

} // namespace

std::optional<PermafailRule> parsePermafailon(std::string_view finishScript) {
    const std::vector<std::string> all = words(finishScript);
    for (size_t i = 0; i + 3 < all.size(); ++i) {
        if (!isPermafailon(all[i]))
            continue;
        const auto seconds = wholeUint(all[i + 1]);
        const auto deaths = wholeUint(all[i + 2]);
        PermafailRule rule;
        if (!seconds || !deaths || *deaths == 0 || !scanStatusList(all[i + 3], rule))
            continue;
        rule.seconds = uint32_t(*seconds);
        // s6-permafailon counts at most the largest tally.
        rule.deaths = uint32_t(std::min<uint64_t>(*deaths, kMaxDeaths));
        return rule;
    }
    return std::nullopt;
}

bool permafailTriggered(const PermafailRule &rule, const std::vector<Death> &deaths) {
    if (deaths.size() < rule.deaths)
        return false;
    // It runs right after the newest death, and counts from there back.
    const Tai64n now = deaths.back().stamp;
    Tai64n from{now.label >= rule.seconds ? now.label - rule.seconds : 0, now.nano};
    size_t matches = 0;
    for (const Death &death : deaths) {
        if (earlier(death.stamp, from))
            continue;
        const bool matching = (death.signal && death.signal < rule.termSignals.size() &&
                               rule.termSignals.test(death.signal)) ||
                              rule.exitCodes.test(death.exitCode);
        if (matching && ++matches >= rule.deaths)
            return true;
    }
    return false;
}

bool stoppedByPermafail(const SupervisionStatus &status, const std::vector<Death> &deaths,
                        const PermafailRule &rule) {
    return status.pid == 0 && !status.finishing && !status.wantUp && !deaths.empty() &&
           deaths.back().stamp == status.stamp && permafailTriggered(rule, deaths);
}

} // namespace agent

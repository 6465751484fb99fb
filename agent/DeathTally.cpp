#include "DeathTally.h"

#include "Json.h"

namespace agent {

namespace {

constexpr uint64_t kTaiBase = uint64_t(1) << 62;

uint64_t beUint(std::string_view bytes, size_t offset, size_t length) {
    uint64_t value = 0;
    for (size_t i = 0; i < length; ++i)
        value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
    return value;
}

} // namespace

std::optional<std::vector<Death>> parseDeathTally(std::string_view bytes) {
    if (bytes.size() % kDeathRecordSize != 0 || bytes.size() > kMaxDeathTallySize)
        return std::nullopt;
    std::vector<Death> deaths;
    deaths.reserve(bytes.size() / kDeathRecordSize);
    for (size_t at = 0; at < bytes.size(); at += kDeathRecordSize) {
        Death death;
        death.stamp.label = beUint(bytes, at, 8);
        death.stamp.nano = static_cast<uint32_t>(beUint(bytes, at + 8, 4));
        if (death.stamp.label < kTaiBase || death.stamp.label >= 2 * kTaiBase ||
            death.stamp.nano > 999999999)
            return std::nullopt;
        death.exitCode = static_cast<uint8_t>(bytes[at + 12]);
        death.signal = static_cast<uint8_t>(bytes[at + 13]);
        deaths.push_back(death);
    }
    return deaths;
}

std::string deathJson(const Death &death) {
    std::string out = "{\"time\":";
    appendJsonString(out, isoUtc(unixSeconds(death.stamp)));
    out += ",\"exit_code\":";
    // s6 also stores 128 + signal as the exit code of a signalled death; that
    // is not an exit code the service chose, so it is null like in the Status object.
    out += death.signal ? "null" : std::to_string(death.exitCode);
    out += ",\"signal\":";
    if (death.signal)
        appendJsonString(out, signalName(death.signal));
    else
        out += "null";
    out += '}';
    return out;
}

size_t deathsWithin(const std::vector<Death> &deaths, const Tai64n &now, uint64_t seconds) {
    size_t count = 0;
    for (const Death &death : deaths)
        if (secondsBetween(death.stamp, now) < seconds)
            ++count;
    return count;
}

size_t deathsLastMinute(const std::vector<Death> &deaths, const Tai64n &now) {
    return deathsWithin(deaths, now, 60);
}

size_t deathsLastHour(const std::vector<Death> &deaths, const Tai64n &now) {
    return deathsWithin(deaths, now, 3600);
}

std::string deathFieldsJson(const std::vector<Death> *deaths, const Tai64n &now) {
    if (!deaths)
        return ",\"deaths_last_minute\":null,\"last_death\":null,\"deaths_last_hour\":null";
    std::string out = ",\"deaths_last_minute\":" + std::to_string(deathsLastMinute(*deaths, now));
    out += ",\"last_death\":";
    out += deaths->empty() ? "null" : deathJson(deaths->back());
    out += ",\"deaths_last_hour\":" + std::to_string(deathsLastHour(*deaths, now));
    return out;
}

} // namespace agent

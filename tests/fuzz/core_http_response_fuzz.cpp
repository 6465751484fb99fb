// libFuzzer target: arbitrary bytes as an HTTP response, whole and split at a point chosen by
// the input, with and without a body limit. Must never crash, hang or disagree with itself.
#include "http/ResponseParser.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const auto limit = qint64(data[0] % 4 == 0 ? -1 : data[0] * 16);
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    const auto length = qsizetype(size - 1);

    sm::ResponseParser whole(limit);
    const auto a = whole.feed(bytes, length);
    const auto aEnd = a == sm::ResponseParser::Outcome::NeedMore ? whole.finish() : a;

    const qsizetype split = length ? qsizetype(data[0]) % (length + 1) : 0;
    sm::ResponseParser parts(limit);
    auto b = parts.feed(bytes, split);
    if (b == sm::ResponseParser::Outcome::NeedMore)
        b = parts.feed(bytes + split, length - split);
    const auto bEnd = b == sm::ResponseParser::Outcome::NeedMore ? parts.finish() : b;

    // Splitting must not change the verdict or what was parsed.
    if (aEnd != bEnd)
        std::abort();
    if (aEnd == sm::ResponseParser::Outcome::Complete &&
        (whole.status() != parts.status() || whole.body() != parts.body() ||
         whole.headers() != parts.headers()))
        std::abort();
    return 0;
}

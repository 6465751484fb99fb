#pragma once

#include <map>
#include <string>
#include <string_view>

namespace agent {

// The top level of a request body: a JSON object whose string members are
// kept (decoded to UTF-8); members of other types are validated and skipped.
struct JsonObject {
    std::map<std::string, std::string> strings;
    std::map<std::string, char>
        kinds; // every member: 's'tring 'n'umber 'o'bject 'a'rray 'b'ool 'z'null
};

// Strict RFC 8259 parser for request bodies: one object, nothing after it but
// whitespace, valid UTF-8, no duplicate keys, nesting at most 32 deep.
// Returns false with a one-sentence reason in `error`.
bool parseJsonObject(std::string_view text, JsonObject &out, std::string &error);

// Appends `value` as a JSON string literal. Bytes that are not valid UTF-8
// become U+FFFD so the document stays valid whatever a log file contains.
void appendJsonString(std::string &out, std::string_view value);

} // namespace agent

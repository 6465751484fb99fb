#pragma once

#include <QString>

#include <optional>

namespace sm {

struct TokenRead {
    QString token;
    QString error; // set when the file cannot be read or holds no token
};

// A token kept in a file of its own (mode 0600, out of config and settings): the file's
// first 64 KiB, trimmed. An empty file is an error: a blank token would silently not match.
TokenRead readTokenFile(const QString &path);

} // namespace sm

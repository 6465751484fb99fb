#pragma once

#include "RouteTable.h"
#include "config/SystemConfig.h"
#include "model/ApiError.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace sm {

// api.tokens (rest-api.md): `Authorization: Bearer <t>`; a viewer may call read (GET) routes,
// an operator every route; open routes never ask. With no tokens configured everything is open.
//
// Only SHA-256 digests of the tokens are kept, and a presented token is compared with every one
// of them in constant time: neither the position of the first wrong byte nor the token's length
// can be learned from how long a refusal takes.
class Auth final {
public:
    // The header a 401 carries.
    static constexpr const char *kChallenge = "Bearer";
    // Longer Authorization headers are refused without hashing them.
    static constexpr qsizetype kMaxHeaderBytes = 4096;

    explicit Auth(const QList<ApiToken> &tokens = {});

    bool enabled() const { return !m_entries.isEmpty(); }
    int tokenCount() const { return int(m_entries.size()); }

    // The error to answer instead of running a route (401 or 403), or nothing when allowed.
    // `method` guards against a non-GET route mistakenly tagged Read: viewers only read.
    std::optional<ApiError> check(const QByteArray &authorization, const QByteArray &method,
                                  Access access) const;

    // Who a request comes from, for the audit: the token's name and role from api.tokens
    // (the token itself never leaves this class), or nothing without a valid token.
    struct Identity {
        QString name;
        Role role;
    };
    std::optional<Identity> identify(const QByteArray &authorization) const;

    // The token of an "Authorization: Bearer <t>" header value; empty when it is not one.
    static QByteArray bearerToken(const QByteArray &authorization);

private:
    struct Entry {
        QByteArray digest; // SHA-256 of the token
        Role role;
        QString name;
    };
    // The entry whose digest matches, looking at every entry whatever the outcome.
    std::optional<Identity> identityOf(const QByteArray &token) const;

    QList<Entry> m_entries;
};

} // namespace sm

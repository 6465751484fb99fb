#include "Auth.h"

#include <QCryptographicHash>

namespace sm {

namespace {

QByteArray digestOf(const QByteArray &token) {
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

// Equal-length digests compared without an early exit.
bool sameDigest(const QByteArray &a, const QByteArray &b) {
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace

Auth::Auth(const QList<ApiToken> &tokens) {
    for (const ApiToken &t : tokens)
        m_entries.append({digestOf(t.token.toUtf8()), t.role, t.name});
}

QByteArray Auth::bearerToken(const QByteArray &authorization) {
    const QByteArray value = authorization.trimmed();
    const qsizetype space = value.indexOf(' ');
    if (space <= 0)
        return {};
    // The scheme is case-insensitive (RFC 9110); the token itself is not.
    if (value.left(space).compare("Bearer", Qt::CaseInsensitive) != 0)
        return {};
    return value.mid(space + 1).trimmed();
}

std::optional<Auth::Identity> Auth::identityOf(const QByteArray &token) const {
    const QByteArray presented = digestOf(token);
    std::optional<Identity> found;
    for (const Entry &entry : m_entries) {
        // Every entry is compared; the higher role wins if one token is listed twice.
        if (sameDigest(presented, entry.digest) && (!found || found->role != Role::Operator))
            found = Identity{entry.name, entry.role};
    }
    return found;
}

std::optional<Auth::Identity> Auth::identify(const QByteArray &authorization) const {
    if (!enabled() || authorization.isEmpty() || authorization.size() > kMaxHeaderBytes)
        return std::nullopt;
    const QByteArray token = bearerToken(authorization);
    return token.isEmpty() ? std::nullopt : identityOf(token);
}

std::optional<ApiError> Auth::check(const QByteArray &authorization, const QByteArray &method,
                                    Access access) const {
    if (!enabled() || access == Access::Open)
        return std::nullopt;
    if (authorization.isEmpty())
        return ApiError::unauthenticated(
            QStringLiteral("This route needs an access token (Authorization: Bearer <token>)"));
    const QByteArray token =
        authorization.size() > kMaxHeaderBytes ? QByteArray() : bearerToken(authorization);
    const std::optional<Identity> who = token.isEmpty() ? std::nullopt : identityOf(token);
    if (!who)
        return ApiError::unauthenticated(
            QStringLiteral("The access token is missing or not valid"));
    const bool reading = access == Access::Read && (method == "GET" || method == "HEAD");
    if (who->role == Role::Viewer && !reading)
        return ApiError::forbidden(
            QStringLiteral("A viewer token may only read; %1 needs an operator token")
                .arg(QString::fromUtf8(method)));
    return std::nullopt;
}

} // namespace sm

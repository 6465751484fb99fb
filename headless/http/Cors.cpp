#include "Cors.h"

namespace sm {

Cors::Cors(QStringList origins)
    : m_origins(std::move(origins))
    , m_anyOrigin(m_origins.contains(QStringLiteral("*"))) {}

bool Cors::allowed(const QByteArray &origin) const {
    return m_anyOrigin || m_origins.contains(QString::fromUtf8(origin));
}

HeaderList Cors::headersFor(const QByteArray &origin) const {
    HeaderList headers;
    headers.reserve(4); // room for the answer's own headers (its type, one more) after these
    if (!origin.isEmpty() && allowed(origin))
        headers.append(Header{"Access-Control-Allow-Origin", origin});
    else if (origin.isEmpty() && m_anyOrigin)
        headers.append(Header{"Access-Control-Allow-Origin", "*"});
    headers.append(Header{"Vary", "Origin"});
    return headers;
}

HeaderList Cors::preflightHeaders(const QByteArrayList &allowed,
                                  const QByteArray &requestedHeaders) {
    QByteArrayList methods = allowed;
    methods.append("OPTIONS");
    return {{"Allow", methods.join(", ")},
            {"Access-Control-Allow-Methods", methods.join(", ")},
            {"Access-Control-Allow-Headers", requestedHeaders.isEmpty()
                                                 ? QByteArray("Content-Type, Authorization")
                                                 : requestedHeaders},
            {"Access-Control-Allow-Credentials", "true"},
            {"Access-Control-Max-Age", "600"}};
}

} // namespace sm

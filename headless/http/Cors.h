#pragma once

#include "HttpFront.h"

#include <QByteArrayList>
#include <QStringList>

namespace sm {

// api.cors_origins: which browser origins may read the answers ("*": any), and the headers
// that say so on every answer and on preflights.
class Cors final {
public:
    explicit Cors(QStringList origins);

    // Access-Control-Allow-Origin (when allowed) and Vary for a request's Origin.
    HeaderList headersFor(const QByteArray &origin) const;
    // What an OPTIONS request to a path accepting `allowed` adds (besides headersFor).
    static HeaderList preflightHeaders(const QByteArrayList &allowed,
                                       const QByteArray &requestedHeaders);

private:
    bool allowed(const QByteArray &origin) const;

    QStringList m_origins;
    bool m_anyOrigin;
};

} // namespace sm

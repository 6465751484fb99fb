#pragma once

#include "ApiContext.h"
#include "http/RouteTable.h"

#include <QHash>

namespace sm {

// The self-describing routes: GET /, /healthz, /openapi.json, /docs, /redoc and the docs
// assets, all served from Qt resources so they work with no internet access.
class DocsApi final {
public:
    explicit DocsApi(const ApiContext &context)
        : m_(context) {}

    // After every other scope's routes: /openapi.json describes the table as it is then.
    void addRoutes(RouteTable &routes);

private:
    using Answer = std::optional<ApiError>;
    Answer root(HttpExchange *ex, const PathParams &p);
    Answer health(HttpExchange *ex, const PathParams &p);
    Answer asset(HttpExchange *ex, const PathParams &p);
    // A docs asset's bytes, decompressed once; empty when there is no such asset.
    QByteArray assetData(const QString &name);

    ApiContext m_;
    QHash<QString, QByteArray> m_assets;
};

} // namespace sm

// The self-describing routes: GET /, /healthz, /openapi.json, /docs, /redoc and the docs
// assets, all served from Qt resources so they work with no internet access.
#include "RestServer.h"

#include "OpenApi.h"

#include "backend/Backend.h"
#include "model/ModelJson.h"

#include <QFile>
#include <QRegularExpression>

namespace sm {

namespace {

QByteArray rootJson() {
    const QByteArray docs = JsonObjectWriter()
                                .add("swagger_ui", "/docs")
                                .add("redoc", "/redoc")
                                .add("openapi_schema", "/openapi.json")
                                .toJson();
    return JsonObjectWriter()
        .add("message", "System Manager API")
        .add("version", SM_VERSION)
        .addRaw("docs", docs)
        .add("description",
             "Control plane for ROS 2 robot containers supervised by s6: lists every "
             "container's services with their live state, starts, stops and restarts them, "
             "shows their logs, and does the same for the host's Docker containers.")
        .toJson();
}

QByteArray readResource(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QByteArray contentTypeFor(const QString &name) {
    if (name.endsWith(u".js"))
        return "application/javascript";
    if (name.endsWith(u".css"))
        return "text/css";
    if (name.endsWith(u".png"))
        return "image/png";
    if (name.endsWith(u".html"))
        return "text/html; charset=utf-8";
    return "application/octet-stream";
}

} // namespace

QByteArray RestServer::asset(const QString &name, QByteArray *contentType) const {
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_-][A-Za-z0-9._-]*$"));
    if (!plain.match(name).hasMatch())
        return {};
    auto it = m_assetCache.constFind(name);
    if (it == m_assetCache.constEnd()) {
        // Resources are compressed; decompress each once, on first use.
        QByteArray data = readResource(QStringLiteral(":/docs/assets/") + name);
        if (data.isEmpty())
            return {};
        it = m_assetCache.insert(name, data);
    }
    *contentType = contentTypeFor(name);
    return *it;
}

void RestServer::addDocRoutes() {
    m_routes.add("GET", "/", Access::Open,
                 {.name = "root",
                  .tag = "root",
                  .summary = "API Information",
                  .description = "Get API information and links to documentation",
                  .response = "RootResponse"},
                 [this](HttpExchange *ex, const QStringList &) {
                     static const QByteArray body = rootJson();
                     reply(ex, 200, body);
                 });

    m_routes.add("GET", "/healthz", Access::Open,
                 {.name = "healthz",
                  .tag = "monitoring",
                  .summary = "Health",
                  .description = "Whether each agent answers and Docker is available; `warning` "
                                 "when the API is open beyond loopback.",
                  .response = "HealthResponse"},
                 [this](HttpExchange *ex, const QStringList &) {
                     m_backend->health(ex,
                                       answer<Health>(ex, [](const auto &v) { return toJson(v); }));
                 });

    m_routes.add(
        "GET", "/openapi.json", Access::Open, {.hidden = true},
        [this](HttpExchange *ex, const QStringList &) {
            // Built once, on first use, from the routes themselves.
            static const QByteArray body = openApiDocument(
                m_routes.routes(), readResource(QStringLiteral(":/openapi/base.json")),
                QStringLiteral(SM_VERSION));
            if (body.isEmpty())
                replyError(ex,
                           {500, QStringLiteral("The OpenAPI document is missing from this build"),
                            QJsonValue::Null});
            else
                reply(ex, 200, body);
        });

    // Without the npm assets in the build, both pages explain how to add them.
    const auto page = [this](const QString &name, const QString &needs) {
        return [this, name, needs](HttpExchange *ex, const QStringList &) {
            const bool haveAssets = QFile::exists(QStringLiteral(":/docs/assets/") + needs);
            const QByteArray html =
                readResource(QStringLiteral(":/docs/pages/") +
                             (haveAssets ? name : QStringLiteral("missing.html")));
            reply(ex, 200, html, "text/html; charset=utf-8");
        };
    };
    m_routes.add("GET", "/docs", Access::Open, {.hidden = true},
                 page(QStringLiteral("swagger.html"), QStringLiteral("swagger-ui-bundle.js")));
    m_routes.add("GET", "/redoc", Access::Open, {.hidden = true},
                 page(QStringLiteral("redoc.html"), QStringLiteral("redoc.standalone.js")));

    m_routes.add(
        "GET", "/docs/assets/{file}", Access::Open, {.hidden = true},
        [this](HttpExchange *ex, const QStringList &p) {
            QByteArray type;
            const QByteArray data = asset(p[0], &type);
            if (data.isEmpty()) {
                replyError(ex, ApiError::notFound(QStringLiteral("No docs asset '%1'").arg(p[0])));
                return;
            }
            reply(ex, 200, data, type, {{"Cache-Control", "public, max-age=86400"}});
        });
}

} // namespace sm

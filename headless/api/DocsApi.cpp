#include "DocsApi.h"

#include "OpenApi.h"
#include "backend/Backend.h"
#include "http/Responder.h"
#include "model/ModelJson.h"

#include <functional>

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

QByteArray DocsApi::assetData(const QString &name) {
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_-][A-Za-z0-9._-]*$"));
    if (!plain.match(name).hasMatch())
        return {};
    auto it = m_assets.constFind(name);
    if (it == m_assets.constEnd()) {
        // Resources are compressed; decompress each once, on first use.
        QByteArray data = readResource(QStringLiteral(":/docs/assets/") + name);
        if (data.isEmpty())
            return {};
        it = m_assets.insert(name, data);
    }
    return *it;
}

void DocsApi::addRoutes(RouteTable &routes) {
    using std::bind_front;
    routes.add("GET", "/", Access::Open,
               {.name = "root",
                .tag = "root",
                .summary = "API Information",
                .description = "Get API information and links to documentation",
                .response = "RootResponse"},
               bind_front(&DocsApi::root, this));
    routes.add("GET", "/healthz", Access::Open,
               {.name = "healthz",
                .tag = "monitoring",
                .summary = "Health",
                .description = "Whether each agent answers and Docker is available; `warning` "
                               "when the API is open beyond loopback.",
                .response = "HealthResponse"},
               bind_front(&DocsApi::health, this));
    routes.add("GET", "/openapi.json", Access::Open, {.hidden = true},
               [this, &routes](HttpExchange *ex, const PathParams &) -> Answer {
                   // Built once, on first use, from the routes themselves.
                   static const QByteArray body = openApiDocument(
                       routes.routes(), readResource(QStringLiteral(":/openapi/base.json")),
                       QStringLiteral(SM_VERSION));
                   if (body.isEmpty())
                       return ApiError::internal(
                           QStringLiteral("The OpenAPI document is missing from "
                                          "this build"));
                   m_.out->reply(ex, 200, body);
                   return {};
               });

    // Without the npm assets in the build, both pages explain how to add them.
    const auto page = [this](const QString &name, const QString &needs) {
        return [this, name, needs](HttpExchange *ex, const PathParams &) -> Answer {
            const bool haveAssets = QFile::exists(QStringLiteral(":/docs/assets/") + needs);
            const QByteArray html =
                readResource(QStringLiteral(":/docs/pages/") +
                             (haveAssets ? name : QStringLiteral("missing.html")));
            m_.out->reply(ex, 200, html, "text/html; charset=utf-8");
            return {};
        };
    };
    routes.add("GET", "/docs", Access::Open, {.hidden = true},
               page(QStringLiteral("swagger.html"), QStringLiteral("swagger-ui-bundle.js")));
    routes.add("GET", "/redoc", Access::Open, {.hidden = true},
               page(QStringLiteral("redoc.html"), QStringLiteral("redoc.standalone.js")));
    routes.add("GET", "/docs/assets/{name}", Access::Open, {.hidden = true},
               bind_front(&DocsApi::asset, this));
}

DocsApi::Answer DocsApi::root(HttpExchange *ex, const PathParams &) {
    static const QByteArray body = rootJson();
    m_.out->reply(ex, 200, body);
    return {};
}

DocsApi::Answer DocsApi::health(HttpExchange *ex, const PathParams &) {
    m_.backend->health(ex, [this, ex](Result<Health> result) {
        // Where the API really listens is known here, not in the backend.
        if (result.ok() && !m_.settings->listenWarning.isEmpty())
            result.value().warning = m_.settings->listenWarning;
        m_.out->answer<Health>(ex, [](const auto &v) { return toJson(v); })(result);
    });
    return {};
}

DocsApi::Answer DocsApi::asset(HttpExchange *ex, const PathParams &p) {
    const QByteArray data = assetData(p.name);
    if (data.isEmpty())
        return ApiError::notFound(QStringLiteral("No docs asset '%1'").arg(p.name));
    m_.out->reply(ex, 200, data, contentTypeFor(p.name),
                  {{"Cache-Control", "public, max-age=86400"}});
    return {};
}

} // namespace sm

#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include "model/ApiError.h"

#include <functional>
#include <optional>

namespace sm {

class HttpExchange;

// Who may call a route once tokens exist: open routes never ask for one, read routes accept
// a viewer token, control routes (which change something, and are audited) and operator
// routes (reads for operators only, such as the audit itself) need an operator.
enum class Access { Open, Read, Control, Operator };

// A query parameter as /openapi.json describes it.
struct QueryDoc {
    const char *name;
    const char *type; // "integer", "boolean"
    const char *description;
    QJsonValue defaultValue = QJsonValue::Undefined;
    std::optional<int> minimum = std::nullopt;
    std::optional<int> maximum = std::nullopt;
};

// What /openapi.json says of a route; the document is generated from these, so a route and
// its description cannot drift apart.
struct RouteDoc {
    const char *name = nullptr; // the operation's function name; operationId derives from it
    const char *tag = nullptr;
    const char *summary = nullptr;
    const char *description = nullptr;
    const char *response = nullptr; // schema of the 200 answer (components/schemas)
    const char *body = nullptr;     // schema of the request body, if any
    QList<QueryDoc> query = {};
    bool eventStream = false;          // the 200 answer may be text/event-stream
    const char *contentType = nullptr; // the 200 answer's media type when it is not JSON
    bool hidden = false;               // not an API operation (the docs pages and their assets)
};

// The path segments a route captures, by name: a pattern's {container}, {service} and {name}
// (the only names patterns use), percent-decoded.
struct PathParams {
    QString container;
    QString service;
    QString name;
};

// One REST route: a method, a pattern such as "/containers/{container}/services/{service}"
// whose {..} segments capture one percent-decoded path segment each, and its handler. A handler
// either answers the exchange (now or later) or returns the error to answer instead.
struct Route {
    using Handler =
        std::function<std::optional<ApiError>(HttpExchange *exchange, const PathParams &params)>;
    QByteArray method;
    QString pattern;
    Access access = Access::Read;
    RouteDoc doc;
    Handler handler;
    QStringList segments;                  // the pattern split on '/'
    QByteArrayList literals;               // each segment in UTF-8; empty for a {..} one
    QList<QString PathParams::*> captures; // where each {..} segment goes, in order
};

// The route table, kept by us rather than QHttpServer so that a known path with another
// method answers 405 with Allow, and OPTIONS answers for every route.
class RouteTable final {
public:
    void add(QByteArray method, const QString &pattern, Access access, RouteDoc doc,
             Route::Handler handler);

    struct Match {
        const Route *route = nullptr; // the route for this method, if any
        PathParams params;
        QByteArrayList allowed; // methods the path accepts (empty: unknown path)
        QString pattern;        // the matched route's template, else the path's first one
    };
    Match find(const QByteArray &method, const QByteArray &rawPath) const;

    const QList<Route> &routes() const { return m_routes; }

    // Splits an encoded path into decoded segments; false if a segment does not decode.
    static bool splitPath(const QByteArray &rawPath, QStringList &segments);

private:
    QList<Route> m_routes;
};

} // namespace sm

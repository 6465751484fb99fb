#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace sm {

class HttpExchange;

// Who may call a route once tokens exist: open routes never ask for one, read routes accept
// a viewer token, control routes need an operator.
enum class Access { Open, Read, Control };

// One REST route: a method, a pattern such as "/containers/{c}/services/{s}" whose {..}
// segments capture one percent-decoded path segment each, and its handler.
struct Route {
    using Handler = std::function<void(HttpExchange *exchange, const QStringList &params)>;
    QByteArray method;
    QString pattern;
    Access access = Access::Read;
    Handler handler;
    QStringList segments; // the pattern split on '/'
};

// The route table, kept by us rather than QHttpServer so that a known path with another
// method answers 405 with Allow, and OPTIONS answers for every route.
class RouteTable final {
public:
    void add(QByteArray method, const QString &pattern, Access access, Route::Handler handler);

    struct Match {
        const Route *route = nullptr; // the route for this method, if any
        QStringList params;
        QByteArrayList allowed; // methods the path accepts (empty: unknown path)
    };
    Match find(const QByteArray &method, const QByteArray &rawPath) const;

    const QList<Route> &routes() const { return m_routes; }

    // Splits an encoded path into decoded segments; false if a segment does not decode.
    static bool splitPath(const QByteArray &rawPath, QStringList &segments);

private:
    QList<Route> m_routes;
};

} // namespace sm

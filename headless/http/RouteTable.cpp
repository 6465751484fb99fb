#include "RouteTable.h"

#include <QUrl>

namespace sm {

void RouteTable::add(QByteArray method, const QString &pattern, Access access, RouteDoc doc,
                     Route::Handler handler) {
    Route route{std::move(method), pattern, access, std::move(doc), std::move(handler), {}, {}};
    route.segments = pattern.split(u'/', Qt::SkipEmptyParts);
    for (const QString &segment : std::as_const(route.segments)) {
        if (segment == u"{container}")
            route.captures.append(&PathParams::container);
        else if (segment == u"{service}")
            route.captures.append(&PathParams::service);
        else if (segment == u"{name}")
            route.captures.append(&PathParams::name);
        else if (segment.startsWith(u'{'))
            qFatal("route %s: no parameter is called %s", qPrintable(pattern), qPrintable(segment));
    }
    m_routes.append(std::move(route));
}

bool RouteTable::splitPath(const QByteArray &rawPath, QStringList &segments) {
    segments.clear();
    // Split before decoding so that an encoded slash (%2F) stays inside its segment.
    const QByteArrayList parts = rawPath.split('/');
    for (const QByteArray &part : parts) {
        if (part.isEmpty())
            continue;
        const QByteArray decoded = QByteArray::fromPercentEncoding(part);
        const QString text = QString::fromUtf8(decoded);
        if (text.toUtf8() != decoded) // not valid UTF-8
            return false;
        segments.append(text);
    }
    return true;
}

RouteTable::Match RouteTable::find(const QByteArray &method, const QByteArray &rawPath) const {
    Match match;
    QStringList segments;
    if (!splitPath(rawPath, segments))
        return match;
    for (const Route &route : m_routes) {
        if (route.segments.size() != segments.size())
            continue;
        PathParams params;
        bool same = true;
        qsizetype capture = 0;
        for (qsizetype i = 0; i < segments.size() && same; ++i) {
            const QString &want = route.segments[i];
            if (want.startsWith(u'{'))
                params.*route.captures[capture++] = segments[i];
            else
                same = want == segments[i];
        }
        if (!same)
            continue;
        if (!match.allowed.contains(route.method))
            match.allowed.append(route.method);
        if (match.pattern.isEmpty())
            match.pattern = route.pattern;
        if (!match.route && route.method == method) {
            match.route = &route;
            match.params = params;
            match.pattern = route.pattern;
        }
    }
    return match;
}

} // namespace sm

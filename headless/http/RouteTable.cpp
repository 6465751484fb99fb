#include "RouteTable.h"

#include <QByteArrayView>

#include <algorithm>

namespace sm {

void RouteTable::add(QByteArray method, const QString &pattern, Access access, RouteDoc doc,
                     Route::Handler handler) {
    Route route{std::move(method), pattern, access, std::move(doc), std::move(handler), {}, {}, {}};
    route.segments = pattern.split(u'/', Qt::SkipEmptyParts);
    for (const QString &segment : std::as_const(route.segments)) {
        route.isCapture.append(segment.startsWith(u'{'));
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
    // Split before decoding so that an encoded slash (%2F) stays inside its segment. Most
    // segments are plain ASCII: they need neither decoding nor a UTF-8 check.
    qsizetype from = 0;
    while (from <= rawPath.size()) {
        qsizetype to = rawPath.indexOf('/', from);
        if (to < 0)
            to = rawPath.size();
        const QByteArrayView part(rawPath.constData() + from, to - from);
        from = to + 1;
        if (part.isEmpty())
            continue;
        const bool plain = std::none_of(part.begin(), part.end(), [](char c) {
            return c == '%' || static_cast<unsigned char>(c) >= 0x80;
        });
        if (plain) {
            segments.append(QString::fromLatin1(part));
            continue;
        }
        const QByteArray decoded = QByteArray::fromPercentEncoding(part.toByteArray());
        if (!QByteArrayView(decoded).isValidUtf8())
            return false;
        segments.append(QString::fromUtf8(decoded));
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
        bool same = true;
        for (qsizetype i = 0; i < segments.size() && same; ++i)
            same = route.isCapture[i] || route.segments[i] == segments[i];
        if (!same)
            continue;
        if (!match.allowed.contains(route.method))
            match.allowed.append(route.method);
        if (match.pattern.isEmpty())
            match.pattern = route.pattern;
        if (!match.route && route.method == method) {
            match.route = &route;
            match.pattern = route.pattern;
            qsizetype capture = 0;
            for (qsizetype i = 0; i < segments.size(); ++i)
                if (route.isCapture[i])
                    match.params.*route.captures[capture++] = segments[i];
        }
    }
    return match;
}

} // namespace sm

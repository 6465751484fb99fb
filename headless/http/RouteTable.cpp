#include "RouteTable.h"

#include <QByteArrayView>
#include <QVarLengthArray>

#include <algorithm>

namespace sm {

void RouteTable::add(QByteArray method, const QString &pattern, Access access, RouteDoc doc,
                     Route::Handler handler) {
    Route route{std::move(method), pattern, access, std::move(doc), std::move(handler), {}, {}, {}};
    route.segments = pattern.split(u'/', Qt::SkipEmptyParts);
    for (const QString &segment : std::as_const(route.segments)) {
        route.literals.append(segment.startsWith(u'{') ? QByteArray() : segment.toUtf8());
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

namespace {

// The path's segments, percent-decoded, as UTF-8 bytes; false if one is not valid UTF-8.
// Split before decoding so that an encoded slash (%2F) stays inside its segment. Most
// segments are plain ASCII: they are neither copied, decoded nor checked (each points into
// rawPath, which must outlive them).
bool splitDecoded(const QByteArray &rawPath, QVarLengthArray<QByteArray, 8> &parts) {
    qsizetype from = 0;
    while (from <= rawPath.size()) {
        qsizetype to = rawPath.indexOf('/', from);
        if (to < 0)
            to = rawPath.size();
        const char *begin = rawPath.constData() + from;
        const qsizetype size = to - from;
        from = to + 1;
        if (size == 0)
            continue;
        const bool plain = std::none_of(begin, begin + size, [](char c) {
            return c == '%' || static_cast<unsigned char>(c) >= 0x80;
        });
        if (plain) {
            parts.append(QByteArray::fromRawData(begin, size));
            continue;
        }
        QByteArray decoded = QByteArray::fromPercentEncoding(QByteArray(begin, size));
        if (!QByteArrayView(decoded).isValidUtf8())
            return false;
        parts.append(std::move(decoded));
    }
    return true;
}

} // namespace

bool RouteTable::splitPath(const QByteArray &rawPath, QStringList &segments) {
    segments.clear();
    QVarLengthArray<QByteArray, 8> parts;
    if (!splitDecoded(rawPath, parts))
        return false;
    for (const QByteArray &part : parts)
        segments.append(QString::fromUtf8(part));
    return true;
}

RouteTable::Match RouteTable::find(const QByteArray &method, const QByteArray &rawPath) const {
    Match match;
    QVarLengthArray<QByteArray, 8> parts;
    if (!splitDecoded(rawPath, parts))
        return match;
    for (const Route &route : m_routes) {
        if (route.literals.size() != parts.size())
            continue;
        bool same = true;
        for (qsizetype i = 0; i < parts.size() && same; ++i)
            same = route.literals[i].isEmpty() || route.literals[i] == parts[i];
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
            for (qsizetype i = 0; i < parts.size(); ++i)
                if (route.literals[i].isEmpty())
                    match.params.*route.captures[capture++] = QString::fromUtf8(parts[i]);
        }
    }
    return match;
}

} // namespace sm

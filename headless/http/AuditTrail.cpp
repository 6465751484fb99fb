#include "AuditTrail.h"

#include "AccessLog.h"
#include "HttpFront.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <QPointer>

namespace sm {

namespace {

QString roleName(const Auth &auth, const std::optional<Auth::Identity> &who) {
    if (!auth.enabled())
        return QStringLiteral("open");
    if (!who)
        return QStringLiteral("none");
    return who->role == Role::Operator ? QStringLiteral("operator") : QStringLiteral("viewer");
}

// The action a control request asks for: its body's "action" (a service or Docker control),
// else what the route does.
QString actionOf(const HttpExchange &exchange, const Route &route) {
    const QJsonObject body = QJsonDocument::fromJson(exchange.body()).object();
    const QJsonValue action = body.value(QLatin1String("action"));
    if (action.isString() && action.toString().size() <= 64)
        return action.toString();
    return QString::fromLatin1(route.doc.name ? route.doc.name : "");
}

void appendPair(QByteArray &line, const char *key, const QString &value) {
    line += ' ';
    line += key;
    line += "=\"";
    for (const QChar c : value) {
        if (c == u'"' || c == u'\\')
            line += '\\';
        // One entry, one line: a newline in an error text must not start a forged one.
        if (c == u'\n' || c == u'\r')
            line += "\\n";
        else
            line += QString(c).toUtf8();
    }
    line += '"';
}

} // namespace

void AuditTrail::watch(HttpExchange *exchange, const RouteTable::Match &match) const {
    if (!match.route || match.route->access != Access::Control)
        return;
    const std::optional<Auth::Identity> who = m_auth.identify(exchange->header("Authorization"));
    AuditEntry entry;
    if (who)
        entry.token = who->name;
    entry.role = roleName(m_auth, who);
    entry.client = exchange->peerAddress();
    entry.method = QString::fromLatin1(exchange->method());
    entry.route = match.route->pattern;
    // A Docker container's name stands where a configured container would, as in the history.
    entry.container = match.params.name.isEmpty() ? match.params.container : match.params.name;
    entry.service = match.params.service;
    entry.target = !match.params.name.isEmpty() ? match.params.name
                   : match.params.service.isEmpty()
                       ? match.params.container
                       : match.params.container + u'/' + match.params.service;
    entry.action = actionOf(*exchange, *match.route);
    exchange->setOnAnswer([entry, sink = m_sink, log = QPointer<AccessLog>(m_log)](
                              int status, const QByteArray &body) mutable {
        entry.status = status;
        if (status >= 400) {
            const QJsonValue error =
                QJsonDocument::fromJson(body).object().value(QLatin1String("error"));
            entry.error =
                error.isString() ? error.toString() : QStringLiteral("HTTP %1").arg(status);
        }
        if (log)
            log->writeLine(logLine(entry));
        if (sink)
            sink(std::move(entry));
    });
}

QByteArray AuditTrail::logLine(const AuditEntry &entry) {
    QByteArray line = "audit:";
    appendPair(line, "token", entry.token.value_or(QStringLiteral("-")));
    appendPair(line, "role", entry.role);
    appendPair(line, "client", entry.client);
    appendPair(line, "method", entry.method);
    appendPair(line, "route", entry.route);
    appendPair(line, "target", entry.target);
    appendPair(line, "action", entry.action);
    appendPair(line, "status", QString::number(entry.status));
    appendPair(line, "error", entry.error.value_or(QString()));
    return line;
}

} // namespace sm

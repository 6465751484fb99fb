#include "OpenApi.h"

#include "rules/Rules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace sm {

namespace {

QJsonObject schemaRef(const char *name) {
    return QJsonObject{{"$ref", QStringLiteral("#/components/schemas/") + QLatin1String(name)}};
}

QJsonObject jsonContent(const char *schema) {
    return QJsonObject{{"application/json", QJsonObject{{"schema", schemaRef(schema)}}}};
}

// Path parameters are named alike across routes; their rules live here once.
QJsonObject pathParameter(const QString &name) {
    QJsonObject schema{{"type", "string"}, {"title", name.left(1).toUpper() + name.mid(1)}};
    QString description;
    if (name == u"container") {
        description = QStringLiteral("Container name from the config");
    } else if (name == u"service") {
        description = QStringLiteral("s6 service id");
        schema.insert(QStringLiteral("pattern"), serviceNamePattern());
    } else if (name == u"name") {
        description = QStringLiteral("Docker container name or id");
        schema.insert(QStringLiteral("pattern"), dockerNamePattern());
    }
    return QJsonObject{{"name", name},
                       {"in", "path"},
                       {"required", true},
                       {"description", description},
                       {"schema", schema}};
}

QJsonObject queryParameter(const QueryDoc &q) {
    QJsonObject schema{{"type", QLatin1String(q.type)}};
    if (!q.defaultValue.isUndefined())
        schema.insert(QStringLiteral("default"), q.defaultValue);
    if (q.minimum)
        schema.insert(QStringLiteral("minimum"), *q.minimum);
    if (q.maximum)
        schema.insert(QStringLiteral("maximum"), *q.maximum);
    return QJsonObject{{"name", QLatin1String(q.name)},
                       {"in", "query"},
                       {"required", false},
                       {"description", QLatin1String(q.description)},
                       {"schema", schema}};
}

QJsonObject errorAnswer(const char *description, const char *schema = "ErrorResponse") {
    return QJsonObject{{"description", QLatin1String(description)},
                       {"content", jsonContent(schema)}};
}

// The errors a route can answer, from where it sits and what it takes.
QJsonObject responses(const Route &route, bool takesInput) {
    QJsonObject out;
    QJsonObject ok{{"description", "Successful Response"}};
    QJsonObject content;
    if (route.doc.response)
        content = jsonContent(route.doc.response);
    if (route.doc.eventStream)
        content.insert(QStringLiteral("text/event-stream"),
                       QJsonObject{{"schema", QJsonObject{{"type", "string"}}}});
    if (route.doc.contentType) // text, such as /metrics' Prometheus format
        content.insert(QLatin1String(route.doc.contentType),
                       QJsonObject{{"schema", QJsonObject{{"type", "string"}}}});
    if (!content.isEmpty())
        ok.insert(QStringLiteral("content"), content);
    out.insert(QStringLiteral("200"), ok);

    const bool agent = route.pattern.startsWith(u"/containers/{container}");
    const bool docker = route.pattern.startsWith(u"/docker/");
    if (route.access != Access::Open)
        out.insert(QStringLiteral("401"),
                   errorAnswer("A token is configured and this request has none, or a wrong one"));
    if (route.access == Access::Control)
        out.insert(QStringLiteral("403"),
                   errorAnswer(docker ? "A viewer token, or a container not in docker.control"
                                      : "A viewer token: control needs an operator"));
    if (route.access == Access::Operator)
        out.insert(QStringLiteral("403"), errorAnswer("A viewer token: this needs an operator"));
    if (agent)
        out.insert(QStringLiteral("404"),
                   errorAnswer("Container not in the config, or the agent does not know the "
                               "service (or it has no log or run script)"));
    else if (docker && route.pattern.contains(u"{name}"))
        out.insert(QStringLiteral("404"), errorAnswer("No such Docker container"));
    if (agent && route.pattern.contains(u"{service}")) {
        // The agent's own refusals reach the client with its message.
        out.insert(QStringLiteral("400"),
                   errorAnswer("The agent refused the request (e.g. an empty run script)"));
        if (route.access == Access::Control)
            out.insert(QStringLiteral("409"),
                       errorAnswer("The service is not supervised (no s6-supervise runs for it)"));
    }
    if (takesInput)
        out.insert(QStringLiteral("422"), errorAnswer("Validation Error", "HTTPValidationError"));
    if (route.doc.eventStream && route.pattern.endsWith(u"/logs"))
        out.insert(QStringLiteral("501"),
                   errorAnswer("follow=true over a backend that cannot stream logs"));
    if (agent && route.pattern.endsWith(u"/deaths"))
        out.insert(QStringLiteral("501"),
                   errorAnswer("The container's s6-agent is too old to list deaths"));
    if (agent || docker) {
        out.insert(QStringLiteral("502"),
                   errorAnswer("The agent or Docker answered something that is not valid "
                               "HTTP/JSON, or a 5xx"));
        out.insert(QStringLiteral("503"),
                   errorAnswer(agent ? "The agent's socket is missing or refused the connection"
                                     : "Docker's socket is missing or refused the connection"));
        out.insert(QStringLiteral("504"), errorAnswer("No answer within api.request_timeout_ms"));
    }
    return out;
}

} // namespace

QString operationId(const Route &route) {
    static const QRegularExpression nonWord(QStringLiteral("\\W"));
    QString id = QLatin1String(route.doc.name) + route.pattern;
    id.replace(nonWord, QStringLiteral("_"));
    return id + u'_' + QString::fromLatin1(route.method).toLower();
}

QByteArray openApiDocument(const QList<Route> &routes, const QByteArray &baseJson,
                           const QString &version) {
    QJsonObject doc = QJsonDocument::fromJson(baseJson).object();
    QJsonObject info = doc.value(QStringLiteral("info")).toObject();
    info.insert(QStringLiteral("version"), version);
    doc.insert(QStringLiteral("info"), info);

    QJsonObject paths = doc.value(QStringLiteral("paths")).toObject();
    for (const Route &route : routes) {
        if (route.doc.hidden || !route.doc.name)
            continue;
        QJsonArray parameters;
        for (const QString &segment : route.segments) {
            if (segment.startsWith(u'{'))
                parameters.append(pathParameter(segment.mid(1, segment.size() - 2)));
        }
        for (const QueryDoc &q : route.doc.query)
            parameters.append(queryParameter(q));
        QJsonObject operation{{"tags", QJsonArray{QLatin1String(route.doc.tag)}},
                              {"summary", QLatin1String(route.doc.summary)},
                              {"description", QLatin1String(route.doc.description)},
                              {"operationId", operationId(route)}};
        if (!parameters.isEmpty())
            operation.insert(QStringLiteral("parameters"), parameters);
        if (route.doc.body)
            operation.insert(
                QStringLiteral("requestBody"),
                QJsonObject{{"required", true}, {"content", jsonContent(route.doc.body)}});
        const bool takesInput = !parameters.isEmpty() || route.doc.body;
        operation.insert(QStringLiteral("responses"), responses(route, takesInput));
        if (route.access != Access::Open)
            operation.insert(QStringLiteral("security"),
                             QJsonArray{QJsonObject{}, QJsonObject{{"bearer", QJsonArray{}}}});
        QJsonObject item = paths.value(route.pattern).toObject();
        item.insert(QString::fromLatin1(route.method).toLower(), operation);
        paths.insert(route.pattern, item);
    }
    doc.insert(QStringLiteral("paths"), paths);
    QJsonObject components = doc.value(QStringLiteral("components")).toObject();
    components.insert(
        QStringLiteral("securitySchemes"),
        QJsonObject{{"bearer", QJsonObject{{"type", "http"},
                                           {"scheme", "bearer"},
                                           {"description", "A token from api.tokens (viewer: "
                                                           "reads; operator: everything)"}}}});
    doc.insert(QStringLiteral("components"), components);
    return QJsonDocument(doc).toJson(QJsonDocument::Compact);
}

} // namespace sm

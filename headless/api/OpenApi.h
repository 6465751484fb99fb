#pragma once

#include "http/RouteTable.h"

#include <QByteArray>

namespace sm {

// The OpenAPI 3 document of the REST API: the routes' own RouteDoc entries, in route order,
// over a base that holds the info, the tags and the component schemas. Error answers follow
// from what each route can meet (its path, its access, its input).
QByteArray openApiDocument(const QList<Route> &routes, const QByteArray &baseJson,
                           const QString &version);

// FastAPI's operationId: the function name and the path template with every non-word
// character made '_', then '_' and the method: "list_services_containers__container__services_get".
QString operationId(const Route &route);

} // namespace sm

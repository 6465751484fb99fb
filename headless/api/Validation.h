#pragma once

#include "http/RouteTable.h"
#include "model/ApiError.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

#include <optional>

namespace sm {

// Input checks of the REST routes. Each returns the value or the 422 (400 where the original
// said so) to answer, with FastAPI's `detail` list, `[{"type","loc","msg","input"[,"ctx"]}]`,
// so that clients written against the original read our errors unchanged. `loc` is where the
// value came from: ["path","service"], ["query","tail"], ["body","action"].
namespace validate {

// `tail` of the logs routes, for services and Docker alike: its default and its largest value,
// and the two log query parameters as /openapi.json describes them.
constexpr int kDefaultTail = 100;
constexpr int kMaxTail = 100000;
inline const QueryDoc kTailQuery{"tail",       "integer", "Number of last lines",
                                 kDefaultTail, 0,         kMaxTail};
inline const QueryDoc kFollowQuery{"follow", "boolean", "Stream lines as server-sent events",
                                   false};

// One item of `detail`, wrapped as the whole 422.
ApiError fieldError(const QString &type, const QJsonArray &loc, const QString &msg,
                    const QJsonValue &input, const QJsonObject &ctx = {});

// Path segments by the rules of rules/Rules.h.
std::optional<ApiError> serviceName(const QString &value);
std::optional<ApiError> dockerName(const QString &value);

// Query values as pydantic reads them (lax mode): integers, and booleans from
// true/false, 1/0, yes/no, on/off, t/f, y/n in any case.
Result<int> intQuery(const char *name, const QString &text, int min, int max);
Result<bool> boolQuery(const char *name, const QString &text);
// A time: ISO 8601 with a zone ("2026-12-02T04:10:00Z", "...+01:00") or Unix seconds, as
// milliseconds since the epoch.
Result<qint64> timeQuery(const char *name, const QString &text);
// A filter value: at most 255 characters, no control characters.
Result<QString> textQuery(const char *name, const QString &text);

// The body as a JSON object: json_invalid at the offset of the first error, a missing body,
// or one that is not an object.
Result<QJsonObject> jsonObjectBody(const QByteArray &body);
// A required string field; one of `allowed` when given (literal_error).
Result<QString> stringField(const QJsonObject &body, const char *key,
                            const QStringList &allowed = {});
// An optional integer field (integral floats and integer strings pass, as in pydantic).
Result<int> intField(const QJsonObject &body, const char *key, int fallback, int min, int max);

} // namespace validate
} // namespace sm

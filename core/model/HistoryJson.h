#pragma once

#include "model/ApiError.h"
#include "model/History.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace sm {

// The REST shapes of GET /history and GET /audit (rest-api.md): each type's keys listed once,
// in HistoryJson.cpp, for its writer and its reader. Times are ISO 8601 UTC with milliseconds.
QByteArray toJson(const HistoryEvent &value);
QByteArray toJson(const AuditEntry &value);
// {"events":[...]} and {"entries":[...]}, newest first.
QByteArray historyToJson(const QList<HistoryEvent> &events);
QByteArray auditToJson(const QList<AuditEntry> &entries);

// Parsers for the daemon's answers (the dashboard's remote mode). Malformed input is a 502.
Result<QList<HistoryEvent>> historyFromJson(const QJsonObject &object);
Result<QList<AuditEntry>> auditFromJson(const QJsonObject &object);

// "2026-12-02T04:10:00.123Z" and back; nullopt when the text is not ISO 8601 with a zone.
QString isoTime(qint64 timeMs);
std::optional<qint64> parseIsoTime(const QString &text);

} // namespace sm

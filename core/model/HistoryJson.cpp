#include "HistoryJson.h"

#include "model/JsonFields.h"
#include "model/ModelJson.h"

#include <QDateTime>
#include <QJsonArray>

namespace sm {

using namespace fields;

namespace {

void writeTime(JsonObjectWriter &w, const char *key, const qint64 &timeMs) {
    w.add(key, isoTime(timeMs));
}
bool readTime(const QJsonValue &value, qint64 &out) {
    const auto parsed = parseIsoTime(value.toString());
    if (parsed)
        out = *parsed;
    return parsed.has_value();
}

constexpr auto kHistoryEvent = std::tuple{
    field("id", &HistoryEvent::id),
    custom("time", &HistoryEvent::timeMs, writeTime, readTime, "an ISO 8601 time"),
    field("source", &HistoryEvent::source),
    field("container", &HistoryEvent::container),
    field("service", &HistoryEvent::service),
    field("kind", &HistoryEvent::kind),
    field("exit_code", &HistoryEvent::exitCode),
    field("signal", &HistoryEvent::signal),
    field("detail", &HistoryEvent::detail),
};

constexpr auto kAuditEntry = std::tuple{
    field("id", &AuditEntry::id),
    custom("time", &AuditEntry::timeMs, writeTime, readTime, "an ISO 8601 time"),
    field("token", &AuditEntry::token),
    field("role", &AuditEntry::role),
    field("client", &AuditEntry::client),
    field("method", &AuditEntry::method),
    field("route", &AuditEntry::route),
    field("container", &AuditEntry::container),
    field("service", &AuditEntry::service),
    field("target", &AuditEntry::target),
    field("action", &AuditEntry::action),
    field("status", &AuditEntry::status),
    field("error", &AuditEntry::error),
};

template <typename T, typename Table>
Result<QList<T>> listFrom(const QJsonObject &object, const char *key, const char *what,
                          const Table &table) {
    const QJsonValue list = object.value(QLatin1String(key));
    if (!list.isArray())
        return ApiError::badGateway(
            QStringLiteral("The daemon's answer has no \"%1\" list").arg(QLatin1String(key)));
    QList<T> out;
    for (const QJsonValue &item : list.toArray()) {
        Result<T> one = readObject<T>(item.toObject(), what, table);
        if (!one.ok())
            return one.error();
        out.append(one.value());
    }
    return out;
}

} // namespace

QString isoTime(qint64 timeMs) {
    return QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

std::optional<qint64> parseIsoTime(const QString &text) {
    // A zone is required: a time without one would mean the reader's local time.
    const bool zoned =
        text.endsWith(u'Z') ||
        (text.size() > 6 && (text.at(text.size() - 6) == u'+' || text.at(text.size() - 6) == u'-'));
    if (!zoned)
        return std::nullopt;
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    return time.toMSecsSinceEpoch();
}

QByteArray toJson(const HistoryEvent &value) {
    return writeObject(value, kHistoryEvent);
}

QByteArray toJson(const AuditEntry &value) {
    return writeObject(value, kAuditEntry);
}

QByteArray historyToJson(const QList<HistoryEvent> &events) {
    JsonObjectWriter w;
    w.addRaw("events", toJsonArray(events));
    return std::move(w).toJson();
}

QByteArray auditToJson(const QList<AuditEntry> &entries) {
    JsonObjectWriter w;
    w.addRaw("entries", toJsonArray(entries));
    return std::move(w).toJson();
}

Result<QList<HistoryEvent>> historyFromJson(const QJsonObject &object) {
    return listFrom<HistoryEvent>(object, "events", "history event", kHistoryEvent);
}

Result<QList<AuditEntry>> auditFromJson(const QJsonObject &object) {
    return listFrom<AuditEntry>(object, "entries", "audit entry", kAuditEntry);
}

} // namespace sm

#include "Events.h"

#include "model/JsonFields.h"
#include "model/JsonWriter.h"
#include "model/ModelJson.h"

#include <QJsonDocument>

namespace sm {

using namespace fields;

namespace {

constexpr auto kRemoved = std::tuple{
    field("container", &ServiceRemoved::container),
    field("service", &ServiceRemoved::service),
};
constexpr auto kAgent = std::tuple{
    field("container", &AgentReachability::container),
    field("reachable", &AgentReachability::reachable),
};

QByteArray writeRemoved(const ServiceRemoved &v) {
    return writeObject(v, kRemoved);
}
Result<ServiceRemoved> readRemoved(const QJsonObject &o) {
    return readObject<ServiceRemoved>(o, "service_removed event", kRemoved);
}
QByteArray writeAgent(const AgentReachability &v) {
    return writeObject(v, kAgent);
}
Result<AgentReachability> readAgent(const QJsonObject &o) {
    return readObject<AgentReachability>(o, "agent event", kAgent);
}

// Each kind of event: its name and how its data is written and read.
template <typename T> struct Kind {
    const char *name;
    QByteArray (*write)(const T &);
    Result<T> (*read)(const QJsonObject &);
};
constexpr auto kKinds = std::tuple{
    Kind<ServiceStatus>{"service", toJson, serviceStatusFromJson},
    Kind<ServiceRemoved>{"service_removed", writeRemoved, readRemoved},
    Kind<AgentReachability>{"agent", writeAgent, readAgent},
    Kind<DockerEvent>{"docker", toJson, dockerEventFromJson},
};

// Reads the event if it is of this kind; true when it was (well formed or not).
template <typename T>
bool readKind(const Kind<T> &kind, const QString &name, const QJsonObject &data,
              std::optional<Event> &event) {
    if (name != QLatin1String(kind.name))
        return false;
    if (Result<T> r = kind.read(data); r.ok())
        event = std::move(r.value());
    return true;
}

} // namespace

EncodedEvent encodeEvent(const Event &event) {
    return std::visit(
        [](const auto &value) {
            const auto &kind = std::get<Kind<std::decay_t<decltype(value)>>>(kKinds);
            return EncodedEvent{kind.name, kind.write(value)};
        },
        event);
}

std::optional<Event> parseEvent(const QString &name, const QByteArray &data) {
    const QJsonObject object = QJsonDocument::fromJson(data).object();
    std::optional<Event> event;
    std::apply([&](const auto &...kind) { (readKind(kind, name, object, event) || ...); }, kKinds);
    return event;
}

EncodedEvent encodeResync(const QByteArray &lastEventId) {
    return {"resync", JsonObjectWriter()
                          .add("last_event_id", QString::fromUtf8(lastEventId))
                          .add("reason", "events since then are no longer kept; the current "
                                         "state follows")
                          .toJson()};
}

EncodedEvent encodeLogLine(const QString &line) {
    return {"log", line.toUtf8()};
}

EncodedEvent encodeLogError(const ApiError &error) {
    return {"error", toJson(error)};
}

std::optional<std::variant<QString, ApiError>> parseLogEvent(const QString &name,
                                                             const QByteArray &data) {
    if (name == QLatin1String("log"))
        return QString::fromUtf8(data);
    if (name == QLatin1String("error"))
        return apiErrorFromJson(502, QJsonDocument::fromJson(data).object());
    return std::nullopt;
}

} // namespace sm

#pragma once

#include "model/ApiError.h"
#include "model/Types.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <variant>

namespace sm {

// The events of GET /events (rest-api.md, "Live updates"). A new subscriber first gets the
// current state as the same events: an `agent` per agent, then a `service` per service.

// `service_removed`: an agent no longer lists the service.
struct ServiceRemoved {
    QString container;
    QString service;
    bool operator==(const ServiceRemoved &) const = default;
};

// `agent`: an agent became reachable or unreachable.
struct AgentReachability {
    QString container;
    bool reachable = false;
    bool operator==(const AgentReachability &) const = default;
};

// One event: `service` (a status, new or changed), `service_removed`, `agent`, or `docker` (a
// Docker container event).
using Event = std::variant<ServiceStatus, ServiceRemoved, AgentReachability, DockerEvent>;

// An event as a stream carries it: its name and its data, one JSON object.
struct EncodedEvent {
    QByteArray name;
    QByteArray data;
};

EncodedEvent encodeEvent(const Event &event);
// The event named `name` with this data; nullopt for a name it does not know (a newer daemon's)
// or data of the wrong shape.
std::optional<Event> parseEvent(const QString &name, const QByteArray &data);

// `resync`: the Last-Event-ID a subscriber came back with is older than the events kept; the
// current state follows it.
EncodedEvent encodeResync(const QByteArray &lastEventId);

// The events of a log followed over SSE (GET .../logs?follow=true): `log` carries one line as
// it is (not JSON); `error`, the ApiError of a source that failed, comes just before the end.
EncodedEvent encodeLogLine(const QString &line);
EncodedEvent encodeLogError(const ApiError &error);
// The line, or the source's error (status 502: it failed behind the daemon); nullopt for an
// event of another name.
std::optional<std::variant<QString, ApiError>> parseLogEvent(const QString &name,
                                                             const QByteArray &data);

} // namespace sm

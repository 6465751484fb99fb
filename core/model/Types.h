#pragma once

#include "model/History.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <chrono>
#include <optional>

namespace sm {

// One configured robot container and the Unix socket of its s6-agent.
struct ContainerInfo {
    QString name;
    QString socketPath;
    bool operator==(const ContainerInfo &) const = default;
};

// One service as listed by an agent, with its label from config (else its id).
struct ServiceInfo {
    QString id;
    QString label;
    bool operator==(const ServiceInfo &) const = default;
};

// One death of a service, as s6-supervise recorded it in its death tally.
struct ServiceDeath {
    QString time;                  // ISO 8601 UTC, to the second
    std::optional<int> exitCode;   // unset when killed by a signal
    std::optional<QString> signal; // e.g. "SIGKILL"; unset when it exited
    bool operator==(const ServiceDeath &) const = default;
};

// GET .../services/{service}/deaths: the tally, newest first.
struct ServiceDeaths {
    QString container;
    QString service;
    QList<ServiceDeath> deaths;
    bool operator==(const ServiceDeaths &) const = default;
};

// At least this many deaths in the last minute while wanted up is a crash loop.
inline constexpr int kCrashLoopDeaths = 3;

// The state of one s6 service. The first fields are the old API's; the optional ones are
// present only when the agent reported them (older agents do not).
struct ServiceStatus {
    QString container;
    QString service;
    QString serviceLabel;
    QString name;
    QString raw;
    bool isUp = false;
    std::optional<qint64> pid;
    std::optional<qint64> uptimeSeconds;
    // Extended fields from this project's agent.
    std::optional<bool> normallyUp;
    std::optional<bool> wantUp;
    std::optional<bool> ready;
    std::optional<bool> paused;
    std::optional<int> exitCode;
    std::optional<QString> signal; // e.g. "SIGTERM"
    std::optional<QString> since;  // ISO 8601
    // From the agent's reading of s6's death tally (agent-api.md), in the agent's order.
    std::optional<int> deathsLastMinute;
    std::optional<ServiceDeath> lastDeath;
    std::optional<int> deathsLastHour;
    std::optional<bool> permanentFailure; // the agent's "failed"
    // The agent sent the fields above, even if as null: they are passed on, null when unknown.
    bool deathFieldsReported = false;
    QJsonObject otherFields; // anything else the agent sent, passed through

    // s6 keeps restarting it and it keeps dying: at least kCrashLoopDeaths deaths in the last
    // minute while wanted up. From an agent that does not count deaths: down, wanted up and
    // with an exit code.
    bool crashLooping() const {
        if (deathsLastMinute)
            return wantUp.value_or(false) && *deathsLastMinute >= kCrashLoopDeaths;
        return !isUp && wantUp.value_or(false) && exitCode.has_value();
    }
    // s6-permafailon in its finish script stopped it: down, and s6 will not restart it.
    bool failed() const { return !isUp && permanentFailure.value_or(false); }
    bool operator==(const ServiceStatus &) const = default;
};

// A status read as the REST API's JSON, and the moment it speaks for: it shows every change s6
// recorded before asOfNs, a time on the host's monotonic clock (std::chrono::steady_clock,
// CLOCK_MONOTONIC, which every process on the host shares); 0 when the source does not say.
struct StatusJson {
    QByteArray json;
    qint64 asOfNs = 0;
};
// Now on that clock.
inline qint64 steadyClockNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct ControlResult {
    QString container;
    QString service;
    QString action;
    // False when the agent sent the command but did not see s6-supervise act on it in time:
    // the answer's result is then "unconfirmed" instead of "ok".
    bool confirmed = true;
};

struct LogQuery {
    int tail = 100;
    bool stripAnsi = false;
    std::optional<qint64> cursor; // byte offset: return what was written since
};

struct LogChunk {
    QString container;
    QString service;
    QString logs;
    std::optional<int> tail;      // set when asked by tail
    std::optional<qint64> cursor; // set when asked by cursor: the new offset
    QString logPath;
};

// The answer of DELETE .../logs: `current` emptied.
struct LogsCleared {
    QString container;
    QString service;
    QString message;
    QString logPath;
};

struct RunScript {
    QString container;
    QString service;
    QString path;
    QString content;
};

// One row of GET /docker/containers.
struct DockerContainer {
    QString id;
    QString name;
    QString status; // state word: running, exited, created, paused, restarting, dead
    QString image;
    QString created; // ISO 8601
    bool operator==(const DockerContainer &) const = default;
};

// GET /docker/containers/{name}/status.
struct DockerStatus {
    QString id;
    QString name;
    QString status;
    QString state;
    bool running = false;
    bool restarting = false;
    bool paused = false;
    QString image;
    QString created;
    QString startedAt;
    QString finishedAt;
    std::optional<int> exitCode;
};

struct DockerControlResult {
    QString name;
    QString action;
};

struct DockerLogs {
    QString container;
    QString logs;
    int tail = 100;
};

// A Docker container event (from the Engine's /events stream).
struct DockerEvent {
    QString container;
    QString action;
    QString time; // ISO 8601
};

struct Health {
    QList<QPair<QString, bool>> agents; // config order, reachable?
    bool dockerAvailable = false;
    QString warning; // non-empty e.g. when listening beyond loopback without tokens
    std::optional<HistoryHealth> history; // set where a history store is kept
};

} // namespace sm

#pragma once

#include <QString>

#include <optional>

namespace sm {

// One thing the daemon saw happen, kept in the history store (GET /history).
struct HistoryEvent {
    qint64 id = 0;     // the store's, increasing with time; 0 until stored
    qint64 timeMs = 0; // milliseconds since the Unix epoch, UTC
    // "service" (a service's state), "agent" (an agent's reachability), "docker" (a Docker
    // container's event; `container` is then the Docker container's name).
    QString source;
    QString container;
    QString service;
    // service: up, down, ready, died, crash_loop_entered, crash_loop_left, failed, removed;
    // agent: reachable, unreachable; docker: the Engine's action (start, die, ...).
    QString kind;
    std::optional<int> exitCode;
    std::optional<QString> signal;
    QString detail; // a human sentence, e.g. "exited with code 1"
};

// One request that changed something (or tried to), kept in the store (GET /audit).
struct AuditEntry {
    qint64 id = 0;
    qint64 timeMs = 0;
    std::optional<QString> token; // the token's name from api.tokens; unset without tokens
    QString role;                 // operator, viewer, or open (no tokens configured)
    QString client;               // the peer's address
    QString method;
    QString route; // the route's template, e.g. /containers/{container}/services/{service}
    QString container;
    QString service;
    QString target; // what was acted on: "<container>/<service>" or a Docker container's name
    QString action; // start, stop, restart, clear_logs, write_run_script, ...
    int status = 0; // the answer's HTTP status
    std::optional<QString> error; // the answer's error text, unset on success
};

// GET /history's filters. Unset ones do not filter.
struct HistoryQuery {
    QString container;
    QString service;
    std::optional<qint64> sinceMs; // inclusive
    std::optional<qint64> untilMs; // inclusive
    int limit = 100;
};

// GET /audit's filters.
struct AuditQuery {
    QString container;
    QString service;
    std::optional<qint64> sinceMs;
    int limit = 100;
};

// The store's condition, for /healthz.
struct HistoryHealth {
    bool enabled = false; // a state directory is configured
    bool writable = false;
    QString path;       // the database file
    QString error;      // the last failure, empty while all is well
    qint64 dropped = 0; // entries given up on because the disk refused them for too long
};

} // namespace sm

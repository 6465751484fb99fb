#pragma once

#include "http/Auth.h"

#include <QStringList>

namespace sm {

class Backend;
class DockerBackend;
class ReadCoalescer;
class Responder;
class SseHub;

// What the REST layer needs from the configuration.
struct RestSettings {
    QStringList containers;       // configured container names, for early 404s
    QStringList corsOrigins{"*"}; // api.cors_origins
    int requestTimeoutMs = 5000;  // api.request_timeout_ms (the backend's deadline)
    int watchdogMarginMs = 1000;  // added on top before the watchdog answers 504
    bool accessLog = true;        // one line per request on stderr
    // Server-sent event streams (GET /events, log follows): how many at once, how much unsent
    // data a client may leave before it is dropped, how often an idle stream gets a heartbeat.
    int maxStreams = 1000;
    qint64 streamBacklogBytes = 1024 * 1024;
    int heartbeatMs = 15000;
    QList<ApiToken> tokens;            // api.tokens; none: every route is open
    bool metricsOpen = false;          // api.metrics_open: GET /metrics needs no token
    qint64 maxBodyBytes = 1024 * 1024; // larger request bodies are refused with 413
    qint64 maxHeaderBytes = 16 * 1024; // request target + header names and values; more: 431
    int maxConnections = 4096;         // open client connections; more: 503 and close
    // /healthz's `warning` when the API listens beyond loopback without tokens (rules/Rules.h).
    QString listenWarning;
};

// What the routes of every scope share: where the data comes from and where answers go.
struct ApiContext {
    Backend *backend;
    DockerBackend *docker; // the same backend's Docker half, all that /docker needs
    Responder *out;
    ReadCoalescer *reads; // shares identical reads among concurrent requests
    SseHub *hub;          // server-sent event streams
    const Auth *auth;
    const RestSettings *settings;
};

} // namespace sm

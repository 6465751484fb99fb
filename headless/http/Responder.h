#pragma once

#include "Cors.h"
#include "HttpFront.h"
#include "Watchdog.h"
#include "model/ApiError.h"

#include <QObject>

#include <functional>

namespace sm {

class AccessLog;

// The one place that answers requests: CORS headers and content type on every answer, the
// access log line, the watchdog that answers what the backend never did, and the 503 that
// requests still waiting get at shutdown.
class Responder final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Responder)
public:
    struct Settings {
        QStringList corsOrigins{"*"};
        bool accessLog = true;
        qint64 deadlineMs = 6000; // the watchdog's: the backend's deadline plus a margin
        int watchdogResolutionMs = 250;
    };

    explicit Responder(const Settings &settings, QObject *parent = nullptr);
    // Requests still waiting get a 503 now, pushed to the kernel at once.
    ~Responder() override;

    const Cors &cors() const { return m_cors; }
    AccessLog *log() const { return m_log; }

    // An exchange handed to a backend: the watchdog answers it if nothing else does in time.
    void watch(HttpExchange *exchange) { m_watchdog.watch(exchange); }

    // Every path through a handler ends in exactly one of these (later calls are ignored).
    void reply(HttpExchange *exchange, int status, const QByteArray &body,
               const QByteArray &contentType = "application/json", HeaderList extra = {});
    void replyError(HttpExchange *exchange, const ApiError &error, HeaderList extra = {});

    // Starts a text/event-stream answer, which counts as the answer. False when the client
    // has already left (the exchange is then logged and freed).
    bool startStream(HttpExchange *exchange);
    // The access log line of a stream that ended.
    void streamEnded(HttpExchange *exchange, qint64 durationMs);

    // A WebSocket upgrade, which Qt answered (101) before any handler saw it: logged, by its
    // path alone (never a ?token=), and told to the observer under `route` (empty: the path
    // is no WebSocket route).
    void upgraded(const QByteArray &path, const QString &route);

    // Told of every answer as it goes out, streams when they start, upgrades (the request
    // metrics): `route` is the template the request matched, empty when none.
    using Observer = std::function<void(const QByteArray &method, const QString &route, int status,
                                        qint64 elapsedNs)>;
    void setObserver(Observer observer) { m_observer = std::move(observer); }

    // A backend callback that answers with toJson(value), or the error.
    template <typename T, typename ToJson> auto answer(HttpExchange *exchange, ToJson toJsonFn) {
        return [this, exchange, toJsonFn](const Result<T> &result) {
            if (result.ok())
                reply(exchange, 200, toJsonFn(result.value()));
            else
                replyError(exchange, result.error());
        };
    }

private:
    Cors m_cors;
    AccessLog *m_log;
    Watchdog m_watchdog;
    Observer m_observer;
};

} // namespace sm

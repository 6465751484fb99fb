#pragma once

#include "Auth.h"
#include "RouteTable.h"
#include "model/History.h"

#include <functional>

namespace sm {

class AccessLog;
class HttpExchange;

// Who did what: every request to a route that changes something (Access::Control), allowed or
// refused, becomes an AuditEntry when it is answered: time, token name and role (never the
// token), client address, route template and target, action, and the answer's status and
// error text. Each goes to the daemon's log as one key="value" line (journald and grep read
// it) and to the sink (the history store).
class AuditTrail final {
public:
    using Sink = std::function<void(AuditEntry)>;

    explicit AuditTrail(const Auth &auth)
        : m_auth(auth) {}

    void setSink(Sink sink) { m_sink = std::move(sink); }
    // Where the log lines go (the access log's stream); null: nowhere.
    void setLog(AccessLog *log) { m_log = log; }

    // Records the exchange when it is answered, if its route is audited.
    void watch(HttpExchange *exchange, const RouteTable::Match &match) const;

    // The log line of one entry.
    static QByteArray logLine(const AuditEntry &entry);

private:
    const Auth &m_auth;
    Sink m_sink;
    AccessLog *m_log = nullptr;
};

} // namespace sm

#include "HistoryApi.h"

#include "Input.h"
#include "backend/Backend.h"
#include "http/Responder.h"
#include "model/HistoryJson.h"

#include <functional>

namespace sm {

using std::bind_front;

namespace {

const QueryDoc kContainerFilter{"container", "string", "Only this container (or Docker container)"};
const QueryDoc kServiceFilter{"service", "string", "Only this service"};
const QueryDoc kSince{"since", "string",
                      "From this time on: ISO 8601 with a zone, or Unix seconds"};
const QueryDoc kUntil{"until", "string", "Up to this time: ISO 8601 with a zone, or Unix seconds"};
const QueryDoc kLimit{"limit",
                      "integer",
                      "At most this many, newest first",
                      HistoryApi::kDefaultLimit,
                      1,
                      HistoryApi::kMaxLimit};

} // namespace

void HistoryApi::addRoutes(RouteTable &routes) {
    routes.add("GET", "/history", Access::Read,
               {.name = "get_history",
                .tag = "history",
                .summary = "What happened",
                .description = "State changes the daemon saw, kept across restarts: services up, "
                               "down, ready, died (with exit code or signal), crash loop entered "
                               "and left; agents reachable or not; Docker container events. "
                               "Newest first.",
                .response = "HistoryResponse",
                .query = {kContainerFilter, kServiceFilter, kSince, kUntil, kLimit}},
               bind_front(&HistoryApi::history, this));
    routes.add("GET", "/audit", Access::Operator,
               {.name = "get_audit",
                .tag = "history",
                .summary = "Who did what",
                .description = "Every request that changed something or tried to: time, token "
                               "name and role, client, route, target, action and outcome. "
                               "Newest first; an operator token is needed once tokens exist.",
                .response = "AuditResponse",
                .query = {kContainerFilter, kServiceFilter, kSince, kLimit}},
               bind_front(&HistoryApi::audit, this));
}

HistoryApi::Answer HistoryApi::history(HttpExchange *ex, const PathParams &) {
    Input in(*ex, m_.settings->containers);
    HistoryQuery query;
    query.container = in.text("container");
    query.service = in.text("service");
    query.sinceMs = in.time("since");
    query.untilMs = in.time("until");
    query.limit = in.integer("limit", kDefaultLimit, 1, kMaxLimit);
    if (in.error())
        return in.error();
    m_.backend->history(ex, query, m_.out->answer<QList<HistoryEvent>>(ex, historyToJson));
    return std::nullopt;
}

HistoryApi::Answer HistoryApi::audit(HttpExchange *ex, const PathParams &) {
    Input in(*ex, m_.settings->containers);
    AuditQuery query;
    query.container = in.text("container");
    query.service = in.text("service");
    query.sinceMs = in.time("since");
    query.limit = in.integer("limit", kDefaultLimit, 1, kMaxLimit);
    if (in.error())
        return in.error();
    m_.backend->audit(ex, query, m_.out->answer<QList<AuditEntry>>(ex, auditToJson));
    return std::nullopt;
}

} // namespace sm

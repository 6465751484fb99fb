#pragma once

#include "ApiContext.h"
#include "http/RouteTable.h"

namespace sm {

// GET /history (what happened, for viewers) and GET /audit (who did what, for operators),
// read from the Backend's history store, newest first.
class HistoryApi final {
public:
    explicit HistoryApi(const ApiContext &context)
        : m_(context) {}

    void addRoutes(RouteTable &routes);

    static constexpr int kDefaultLimit = 100;
    static constexpr int kMaxLimit = 10000;

private:
    using Answer = std::optional<ApiError>;
    Answer history(HttpExchange *ex, const PathParams &p);
    Answer audit(HttpExchange *ex, const PathParams &p);

    ApiContext m_;
};

} // namespace sm

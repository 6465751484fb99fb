#include "AgentClient.h"

#include "AgentEventStream.h"
#include "AgentLogStream.h"
#include "model/ModelJson.h"
#include "model/StatusSplice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace sm {

namespace {

// The largest answer each route can give, so that a broken or hostile agent cannot make the
// daemon parse a huge body on its only thread. Log text and run scripts are bounded by the
// agent (4 MiB, 1 MiB) and may grow six-fold as JSON escapes (\u0001).
constexpr qint64 kSmallAnswer = AgentClient::kDefaultAnswerBytes; // ping, status, control
// Status answers of this project's agent carry the moment they stand for (agent/Http.h and
// docs/agent-api.md spell it too).
constexpr char kStatusAsOfHeader[] = "X-Status-As-Of";
constexpr qint64 kListAnswer = 4 * 1024 * 1024; // every service's name or status
constexpr qint64 kLogAnswer = 6 * 4 * 1024 * 1024 + kSmallAnswer;
constexpr qint64 kRunScriptAnswer = 6 * 1024 * 1024 + kSmallAnswer;
// At most 4096 deaths (s6's largest tally) of under 80 bytes each.
constexpr qint64 kDeathsAnswer = 4096 * 80 + kSmallAnswer;

QString unreachable(const QString &container, const QString &reason) {
    return QStringLiteral("Agent for container '%1' is unreachable: %2").arg(container, reason);
}

// Puts the container's name on a parser's complaint about the agent's JSON.
ApiError invalidAnswer(const QString &container, const ApiError &e) {
    ApiError out = e;
    out.message = QStringLiteral("Agent for container '%1' sent an invalid answer: %2")
                      .arg(container, e.message);
    return out;
}

// The agent's 2xx answer as a JSON object.
Result<QJsonObject> answerObject(const QString &container, const QByteArray &body) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (!doc.isObject())
        return ApiError::badGateway(
            QStringLiteral("Agent for container '%1' sent an invalid answer: %2")
                .arg(container, error.error != QJsonParseError::NoError
                                    ? error.errorString()
                                    : QStringLiteral("not a JSON object")));
    return doc.object();
}

// GET /services/status's answer; container and service filled in.
Result<QList<ServiceStatus>> statusList(const QString &container, const QJsonObject &json) {
    const QJsonValue list = json.value(QLatin1String("statuses"));
    if (!list.isArray())
        return invalidAnswer(container, ApiError::badGateway(QStringLiteral("no 'statuses' list")));
    QList<ServiceStatus> out;
    for (const QJsonValue &v : list.toArray()) {
        auto s = serviceStatusFromAgent(v.toObject());
        if (!s.ok())
            return invalidAnswer(container, s.error());
        s.value().container = container;
        s.value().service = s.value().name;
        out.append(std::move(s.value()));
    }
    return out;
}

// GET /services/{s}/status's answer; container and service filled in.
Result<ServiceStatus> oneStatus(const QString &container, const QString &service,
                                const QJsonObject &json) {
    auto s = serviceStatusFromAgent(json);
    if (!s.ok())
        return invalidAnswer(container, s.error());
    s.value().container = container;
    s.value().service = service;
    return s;
}

} // namespace

AgentClient::AgentClient(QString container, const QString &socketPath, int timeoutMs,
                         QObject *parent)
    : QObject(parent)
    , m_container(std::move(container))
    , m_timeoutMs(timeoutMs)
    , m_http(new HttpClient(socketPath, 8, this)) {}

AgentClient::~AgentClient() = default;

ApiError AgentClient::mapError(const QString &container, const HttpResult &result, int timeoutMs) {
    if (result.ok())
        return mapStatus(container, result.response->status, result.response->body);
    const HttpError &e = result.error;
    switch (e.kind) {
    case HttpError::SocketMissing:
    case HttpError::Refused:
    case HttpError::Cancelled:
        return ApiError::unavailable(unreachable(container, e.message));
    case HttpError::Busy:
        return ApiError::unavailable(
            QStringLiteral("Agent for container '%1' is busy: %2; try again shortly")
                .arg(container, e.message));
    case HttpError::Timeout:
        return ApiError::timeout(
            QStringLiteral("Agent for container '%1' did not answer within %2 ms")
                .arg(container)
                .arg(timeoutMs));
    case HttpError::Reset:
    case HttpError::Garbage:
    case HttpError::TooLarge:
        break;
    }
    return ApiError::badGateway(
        QStringLiteral("Agent for container '%1' sent an invalid answer: %2")
            .arg(container, e.message));
}

ApiError AgentClient::mapStatus(const QString &container, int status, const QByteArray &body) {
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    const bool envelope = doc.isObject() && doc.object().value(QLatin1String("error")).isString();
    if (status >= 500 || status < 400 || !envelope) {
        const QString why = envelope ? doc.object().value(QLatin1String("error")).toString()
                                     : QStringLiteral("HTTP status %1").arg(status);
        // A 404 without the envelope still means "not there"; anything else is the agent's fault.
        if (status == 404)
            return ApiError::notFound(
                QStringLiteral("Not found on the agent for container '%1'").arg(container));
        return ApiError::badGateway(
            QStringLiteral("Agent for container '%1' failed: %2").arg(container, why));
    }
    // 4xx: the agent's sentence and detail pass through with its status.
    return apiErrorFromJson(status, doc.object());
}

HttpRequest AgentClient::request(const QByteArray &method, const QByteArray &target,
                                 qint64 maxAnswerBytes) const {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.maxBodyBytes = maxAnswerBytes;
    r.timeoutMs = m_timeoutMs;
    r.headers = {{"Accept", "application/json"}};
    return r;
}

QByteArray AgentClient::servicePath(const QString &service) {
    return "/services/" + QUrl::toPercentEncoding(service);
}

void AgentClient::call(QObject *context, HttpRequest request, Callback<QJsonObject> done,
                       FailureHook failure) {
    // Captures values only: the callback may run after this client is gone (Cancelled).
    m_http->send(request, context,
                 [container = m_container, timeout = request.timeoutMs, done = std::move(done),
                  failure = std::move(failure)](const HttpResult &result) {
                     if (!result.ok() || result.response->status / 100 != 2) {
                         if (failure)
                             if (auto replaced = failure(result))
                                 return done(std::move(*replaced));
                         return done(mapError(container, result, timeout));
                     }
                     done(answerObject(container, result.response->body));
                 });
}

void AgentClient::callRaw(QObject *context, const HttpRequest &request, Callback<StatusJson> done) {
    m_http->send(request, context,
                 [container = m_container, timeout = request.timeoutMs,
                  done = std::move(done)](const HttpResult &result) {
                     if (!result.ok() || result.response->status / 100 != 2)
                         return done(mapError(container, result, timeout));
                     // An agent that does not say (the original's) gives 0: no moment known.
                     bool known = false;
                     const qint64 asOf =
                         result.response->header(kStatusAsOfHeader).toLongLong(&known);
                     done(StatusJson{result.response->body, known && asOf > 0 ? asOf : 0});
                 });
}

void AgentClient::ping(QObject *context, int timeoutMs, Callback<QString> done) {
    HttpRequest r = request("GET", "/");
    r.timeoutMs = timeoutMs;
    call(context, r, [done = std::move(done)](Result<QJsonObject> json) {
        if (!json.ok())
            return done(json.error());
        done(json.value().value(QLatin1String("version")).toString());
    });
}

void AgentClient::services(QObject *context, Callback<QStringList> done) {
    call(context, request("GET", "/services", kListAnswer),
         [container = m_container, done = std::move(done)](Result<QJsonObject> json) {
             if (!json.ok())
                 return done(json.error());
             const QJsonValue list = json.value().value(QLatin1String("services"));
             QStringList names;
             for (const QJsonValue &v : list.toArray()) {
                 if (!v.isString())
                     return done(invalidAnswer(container, ApiError::badGateway(QStringLiteral(
                                                              "a service name is not a string"))));
                 names.append(v.toString());
             }
             if (!list.isArray())
                 return done(invalidAnswer(
                     container, ApiError::badGateway(QStringLiteral("no 'services' list"))));
             done(names);
         });
}

void AgentClient::statuses(QObject *context, Callback<QList<ServiceStatus>> done) {
    call(context, request("GET", "/services/status", kListAnswer),
         [container = m_container, done = std::move(done)](Result<QJsonObject> json) {
             if (!json.ok())
                 return done(json.error());
             done(statusList(container, json.value()));
         });
}

void AgentClient::status(QObject *context, const QString &service, Callback<ServiceStatus> done) {
    call(context, request("GET", servicePath(service) + "/status"),
         [container = m_container, service, done = std::move(done)](Result<QJsonObject> json) {
             if (!json.ok())
                 return done(json.error());
             done(oneStatus(container, service, json.value()));
         });
}

void AgentClient::statusesJson(QObject *context, LabelFor labelFor, Callback<StatusJson> done) {
    callRaw(context, request("GET", "/services/status", kListAnswer),
            [this, container = m_container, labelFor = std::move(labelFor),
             done = std::move(done)](Result<StatusJson> raw) {
                if (!raw.ok())
                    return done(raw.error());
                const QByteArray &body = raw.value().json;
                const qint64 asOf = raw.value().asOfNs;
                // Within one second most answers are the last one again, byte for byte.
                if (body == m_lastStatuses.agentBody && !body.isEmpty())
                    return done(StatusJson{m_lastStatuses.rest, asOf});
                QByteArray out;
                if (const auto list = statussplice::scanStatusList(body)) {
                    out.reserve(body.size() + list->size() * (container.size() + 96) + 2);
                    out += '[';
                    for (qsizetype i = 0; i < list->size(); ++i) {
                        if (i)
                            out += ',';
                        const statussplice::AgentStatusBytes &s = list->at(i);
                        statussplice::appendRestStatus(
                            out, container, labelFor(statussplice::decodeName(s.name)), s);
                    }
                    out += ']';
                    m_lastStatuses = {body, out};
                    return done(StatusJson{std::move(out), asOf});
                }
                // Another agent's answer, or a malformed one: read it for what it says.
                const auto json = answerObject(container, body);
                if (!json.ok())
                    return done(json.error());
                auto list = statusList(container, json.value());
                if (!list.ok())
                    return done(list.error());
                for (ServiceStatus &s : list.value())
                    s.serviceLabel = labelFor(s.service);
                done(StatusJson{toJsonArray(list.value()), asOf});
            });
}

void AgentClient::statusJson(QObject *context, const QString &service, const QString &label,
                             Callback<StatusJson> done) {
    callRaw(
        context, request("GET", servicePath(service) + "/status"),
        [container = m_container, service, label, done = std::move(done)](Result<StatusJson> raw) {
            if (!raw.ok())
                return done(raw.error());
            const QByteArray &body = raw.value().json;
            const qint64 asOf = raw.value().asOfNs;
            if (const auto s = statussplice::scanStatus(body)) {
                QByteArray out;
                out.reserve(body.size() + container.size() + service.size() + label.size() + 64);
                statussplice::appendRestStatus(out, container, service, label, *s);
                return done(StatusJson{std::move(out), asOf});
            }
            const auto json = answerObject(container, body);
            if (!json.ok())
                return done(json.error());
            auto s = oneStatus(container, service, json.value());
            if (!s.ok())
                return done(s.error());
            s.value().serviceLabel = label;
            done(StatusJson{toJson(s.value()), asOf});
        });
}

void AgentClient::control(QObject *context, const QString &service, const QString &action,
                          Callback<ControlResult> done) {
    HttpRequest r = request("POST", servicePath(service));
    r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    r.body = QJsonDocument(QJsonObject{{QStringLiteral("action"), action}})
                 .toJson(QJsonDocument::Compact);
    call(context, r,
         [container = m_container, service, action,
          done = std::move(done)](Result<QJsonObject> json) {
             if (!json.ok())
                 return done(json.error());
             // Agents that cannot tell (the original's) always say "ok".
             const QJsonValue result = json.value().value(QLatin1String("result"));
             done(ControlResult{container, service, action,
                                result != QJsonValue(QStringLiteral("unconfirmed"))});
         });
}

void AgentClient::logs(QObject *context, const QString &service, const LogQuery &query,
                       Callback<LogChunk> done) {
    QByteArray target = servicePath(service) + "/logs?";
    if (query.cursor)
        target += "cursor=" + QByteArray::number(*query.cursor);
    else
        target += "tail=" + QByteArray::number(query.tail);
    target += query.stripAnsi ? "&strip_ansi=true" : "&strip_ansi=false";
    call(context, request("GET", target, kLogAnswer),
         [container = m_container, service, done = std::move(done)](Result<QJsonObject> json) {
             if (!json.ok())
                 return done(json.error());
             const QJsonObject &o = json.value();
             if (!o.value(QLatin1String("logs")).isString())
                 return done(invalidAnswer(container,
                                           ApiError::badGateway(QStringLiteral("no 'logs' text"))));
             LogChunk chunk;
             chunk.container = container;
             chunk.service = service;
             chunk.logs = o.value(QLatin1String("logs")).toString();
             if (o.value(QLatin1String("tail")).isDouble())
                 chunk.tail = o.value(QLatin1String("tail")).toInt();
             if (o.value(QLatin1String("cursor")).isDouble())
                 chunk.cursor = qint64(o.value(QLatin1String("cursor")).toDouble());
             chunk.logPath = o.value(QLatin1String("log_path")).toString();
             done(chunk);
         });
}

void AgentClient::clearLogs(QObject *context, const QString &service, Callback<LogsCleared> done) {
    call(context, request("DELETE", servicePath(service) + "/logs"),
         [container = m_container, service, done = std::move(done)](Result<QJsonObject> json) {
             if (!json.ok())
                 return done(json.error());
             const QJsonObject &o = json.value();
             done(LogsCleared{container, service, o.value(QLatin1String("message")).toString(),
                              o.value(QLatin1String("log_path")).toString()});
         });
}

namespace {

Callback<QJsonObject> runScriptAnswer(const QString &container, const QString &service,
                                      Callback<RunScript> done) {
    return [container, service, done = std::move(done)](Result<QJsonObject> json) {
        if (!json.ok())
            return done(json.error());
        const QJsonObject &o = json.value();
        if (!o.value(QLatin1String("content")).isString())
            return done(invalidAnswer(container,
                                      ApiError::badGateway(QStringLiteral("no 'content' text"))));
        done(RunScript{container, service, o.value(QLatin1String("path")).toString(),
                       o.value(QLatin1String("content")).toString()});
    };
}

} // namespace

namespace {

// A 404 that says the route is unknown, not the service: the original agent's FastAPI answer
// ({"detail":"Not Found"}, not our envelope) or this project's agents' "No such route: ...".
bool routeMissing(const HttpResult &result) {
    if (!result.ok() || result.response->status != 404)
        return false;
    const QJsonDocument doc = QJsonDocument::fromJson(result.response->body);
    const QJsonValue error = doc.object().value(QLatin1String("error"));
    return !error.isString() || error.toString().startsWith(QLatin1String("No such route"));
}

} // namespace

void AgentClient::deaths(QObject *context, const QString &service, Callback<ServiceDeaths> done) {
    call(
        context, request("GET", servicePath(service) + "/deaths", kDeathsAnswer),
        [container = m_container, service, done = std::move(done)](Result<QJsonObject> json) {
            if (!json.ok())
                return done(json.error());
            auto deaths = serviceDeathsFromJson(json.value());
            if (!deaths.ok())
                return done(invalidAnswer(container, deaths.error()));
            deaths.value().container = container;
            deaths.value().service = service;
            done(std::move(deaths.value()));
        },
        [container = m_container](const HttpResult &result) -> std::optional<ApiError> {
            if (!routeMissing(result))
                return std::nullopt;
            return ApiError::notImplemented(
                QStringLiteral("Agent for container '%1' cannot list deaths: its s6-agent is "
                               "older than this system-managerd's; update it")
                    .arg(container));
        });
}

void AgentClient::runScript(QObject *context, const QString &service, Callback<RunScript> done) {
    call(context, request("GET", servicePath(service) + "/run", kRunScriptAnswer),
         runScriptAnswer(m_container, service, std::move(done)));
}

void AgentClient::setRunScript(QObject *context, const QString &service, const QString &content,
                               Callback<RunScript> done) {
    HttpRequest r = request("PUT", servicePath(service) + "/run", kRunScriptAnswer);
    r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    r.body = QJsonDocument(QJsonObject{{QStringLiteral("content"), content}})
                 .toJson(QJsonDocument::Compact);
    call(context, r, runScriptAnswer(m_container, service, std::move(done)));
}

HttpStream *AgentClient::followStream(const QString &service, int tail) {
    return m_http->stream(request("GET", servicePath(service) +
                                             "/logs?follow=true&tail=" + QByteArray::number(tail)));
}

LogStream *AgentClient::followLogs(const QString &service, int tail) {
    return new AgentLogStream(m_container, followStream(service, tail), m_timeoutMs);
}

ServiceFeed *AgentClient::watchServices(std::function<void(ServiceStatus &)> complete) {
    return new AgentEventStream(m_container, m_http->stream(request("GET", "/events")), m_timeoutMs,
                                m_eventsIdleMs, std::move(complete));
}

} // namespace sm

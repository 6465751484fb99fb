#pragma once

#include "async/Async.h"
#include "http/HttpClient.h"
#include "model/ApiError.h"
#include "model/Types.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

namespace sm {

// Typed calls to one container's s6-agent (agent-api.md) over its Unix socket. Every failure
// arrives as the ApiError the REST API answers with (rest-api.md's table), naming the container.
// Callbacks come later, never inside the call, and only while `context` lives.
class AgentClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentClient)
public:
    AgentClient(QString container, const QString &socketPath, int timeoutMs = 5000,
                QObject *parent = nullptr);
    ~AgentClient() override;

    QString container() const { return m_container; }
    QString socketPath() const { return m_http->socketPath(); }
    int timeoutMs() const { return m_timeoutMs; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    // How long watchServices() waits for a byte before it calls the agent hung: three of the
    // agent's 15 s heartbeats, so that one late heartbeat on a busy robot is not an outage.
    static constexpr int kEventsIdleMs = 45000;
    void setEventsIdleMs(int ms) { m_eventsIdleMs = ms; }
    HttpClient *http() const { return m_http; }

    // GET /: the agent's version string; a short timeoutMs suits health checks.
    void ping(QObject *context, int timeoutMs, Callback<QString> done);
    void services(QObject *context, Callback<QStringList> done);
    // container and service are filled in; serviceLabel is left to the caller.
    void statuses(QObject *context, Callback<QList<ServiceStatus>> done);
    void status(QObject *context, const QString &service, Callback<ServiceStatus> done);
    // The same two reads as the REST API's JSON: the array of ServiceStatus objects, and one
    // ServiceStatus, byte for byte what toJson() makes of statuses()' and status()' values
    // with their labels, errors alike. This project's agent's objects are spliced from its
    // bytes (model/StatusSplice.h); any other answer is read and encoded. labelFor must give
    // a service the same label every time (the config's labels are fixed): an answer for all
    // services whose bytes are those of the last one is the last REST array again, built once.
    using LabelFor = std::function<QString(const QString &service)>;
    void statusesJson(QObject *context, LabelFor labelFor, Callback<StatusJson> done);
    void statusJson(QObject *context, const QString &service, const QString &label,
                    Callback<StatusJson> done);
    void control(QObject *context, const QString &service, const QString &action,
                 Callback<ControlResult> done);
    void logs(QObject *context, const QString &service, const LogQuery &query,
              Callback<LogChunk> done);
    void clearLogs(QObject *context, const QString &service, Callback<LogsCleared> done);
    // GET /services/{s}/deaths: the deaths s6 recorded, newest first. An agent that does not
    // have the route (one older than the route, or the original's) is 501, telling so.
    void deaths(QObject *context, const QString &service, Callback<ServiceDeaths> done);
    void runScript(QObject *context, const QString &service, Callback<RunScript> done);
    void setRunScript(QObject *context, const QString &service, const QString &content,
                      Callback<RunScript> done);

    // GET /services/{s}/logs?follow=true&tail=N as raw bytes. The caller owns it.
    HttpStream *followStream(const QString &service, int tail);
    // The same, split into lines, with failures mapped like the other calls. The caller owns it.
    LogStream *followLogs(const QString &service, int tail);

    // GET /events: the agent's pushed service states; `complete` fills in what it does not
    // know (labels). The caller owns it.
    ServiceFeed *watchServices(std::function<void(ServiceStatus &)> complete);

    // The largest answer of a route that returns one small object (ping, status, control).
    static constexpr qint64 kDefaultAnswerBytes = 64 * 1024;

    // The ApiError for a failed exchange or a non-2xx answer from this container's agent.
    static ApiError mapError(const QString &container, const HttpResult &result, int timeoutMs);
    static ApiError mapStatus(const QString &container, int status, const QByteArray &body);

private:
    // `failure`, when given, may replace the mapped error of a failed exchange or non-2xx answer.
    using FailureHook = std::function<std::optional<ApiError>(const HttpResult &)>;
    void call(QObject *context, HttpRequest request, Callback<QJsonObject> done,
              FailureHook failure = {});
    // The same for a 2xx answer's body as it came.
    void callRaw(QObject *context, const HttpRequest &request, Callback<StatusJson> done);
    // `maxAnswerBytes`: the largest answer this route can give (AgentClient.cpp); past it: 502.
    HttpRequest request(const QByteArray &method, const QByteArray &target,
                        qint64 maxAnswerBytes = kDefaultAnswerBytes) const;
    static QByteArray servicePath(const QString &service);

    QString m_container;
    // The last spliced answer for all services: the agent's bytes and the REST array.
    struct {
        QByteArray agentBody;
        QByteArray rest;
    } m_lastStatuses;
    int m_timeoutMs;
    int m_eventsIdleMs = kEventsIdleMs;
    HttpClient *m_http;
};

} // namespace sm

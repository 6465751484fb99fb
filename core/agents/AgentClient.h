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
    HttpClient *http() const { return m_http; }

    // GET /: the agent's version string; a short timeoutMs suits health checks.
    void ping(QObject *context, int timeoutMs, Callback<QString> done);
    void services(QObject *context, Callback<QStringList> done);
    // container and service are filled in; serviceLabel is left to the caller.
    void statuses(QObject *context, Callback<QList<ServiceStatus>> done);
    void status(QObject *context, const QString &service, Callback<ServiceStatus> done);
    void control(QObject *context, const QString &service, const QString &action,
                 Callback<ControlResult> done);
    void logs(QObject *context, const QString &service, const LogQuery &query,
              Callback<LogChunk> done);
    void clearLogs(QObject *context, const QString &service, Callback<LogsCleared> done);
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
    void call(QObject *context, HttpRequest request, Callback<QJsonObject> done);
    // `maxAnswerBytes`: the largest answer this route can give (AgentClient.cpp); past it: 502.
    HttpRequest request(const QByteArray &method, const QByteArray &target,
                        qint64 maxAnswerBytes = kDefaultAnswerBytes) const;
    static QByteArray servicePath(const QString &service);

    QString m_container;
    int m_timeoutMs;
    HttpClient *m_http;
};

} // namespace sm

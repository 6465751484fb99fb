#pragma once

// One scriptable Backend for the unit tests of the dashboard, the REST layer and the live
// updates. It answers from the values a test sets, later and never inside the call (the
// Backend's contract), records what it was asked, and can fail, delay, hold or drop answers.
// A test emits the Backend's live signals (serviceChanged, dockerEvent, ...) on it directly.

#include "backend/Backend.h"

#include <QHash>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <optional>
#include <type_traits>

class FakeBackend final : public sm::Backend {
public:
    using Backend::Backend;

    // What one container's agent answers. error, hang and delayMs are about statuses(), the
    // call a dashboard or a StatusMonitor polls.
    struct Agent {
        QList<sm::ServiceStatus> statuses; // status() finds its service here too
        QList<sm::ServiceInfo> services;
        std::optional<sm::ApiError> error; // answered instead of the statuses
        bool hang = false;                 // never answered (a lost call)
        int delayMs = 0;                   // on top of the fake's delayMs
    };

    // The answers. A service or Docker container that is not listed still has a bare status
    // with its name: the REST layer asks for one before it follows a log.
    QList<sm::ContainerInfo> containerList;
    QHash<QString, Agent> agents;    // container name → its agent
    QHash<QString, QString> logText; // "container/service" or "docker/name" → the whole log
    // "container/service" → its deaths, newest first (none when not listed).
    QHash<QString, QList<sm::ServiceDeath>> deathLists;
    std::optional<sm::ApiError> deathsError; // deaths() answers this (e.g. an older agent's 501)
    QList<sm::DockerContainer> dockerList;
    QHash<QString, sm::DockerStatus> dockerDetails; // name → its dockerStatus()
    sm::Health healthValue;

    // history() and audit() answer what a store holding these would (newest first; filtered
    // by container and service when set; at most `limit`), or historyError / auditError (a
    // 501 where no store is kept, a viewer's 403). historyDelayMs holds the answers to queries
    // filtered on "container/service" ("name/": a Docker container's history) back this much
    // longer.
    QList<sm::HistoryEvent> historyEvents;
    QList<sm::AuditEntry> auditEntries;
    std::optional<sm::ApiError> historyError;
    std::optional<sm::ApiError> auditError;
    QHash<QString, int> historyDelayMs;

    // logs(): by cursor at most maxAnswerBytes (-1: all), as the agent bounds its answers;
    // without cursorSupported by tail and without a cursor, as an older daemon answers.
    bool cursorSupported = true;
    qsizetype maxAnswerBytes = -1;

    // followLogs() and followDockerLogs() hand out streams the test feeds (see streams); with
    // followError they end at once with it (a daemon without live logs), without canFollow
    // they are nullptr (a backend that cannot follow).
    bool canFollow = true;
    std::optional<sm::ApiError> followError;

    // watchServices() hands out feeds the test drives (see feeds) when pushes is set, except
    // for the containers in pollOnly; else nullptr (cannot push: the monitor polls).
    bool pushes = false;
    QStringList pollOnly;
    QList<QPointer<sm::ServiceFeed>> feeds; // named by container; null once deleted

    // Failures and timing, for every call that answers through a callback.
    std::optional<sm::ApiError> failWith;     // every such call answers this
    std::optional<sm::ApiError> controlError; // control() and dockerControl() answer this
    bool neverAnswer = false;                 // every answer is dropped (a lost call)
    int delayMs = 0;                          // answers come this much later; < 0: held
    std::function<void()> pendingAnswer;      // the last answer held, for the test to send
    QList<std::function<void()>> heldAnswers; // every answer held, oldest first
    // statusesJson() stamps its answers with this moment, asked when the answer is sent
    // (unset: 0, a backend that does not say).
    std::function<qint64()> statusesAsOfNs;

    // What was asked, and how many answers are still due (a dropped one stays due).
    QStringList calls;                      // every call as "method arg ...", see FakeBackend.cpp
    QStringList controlCalls;               // "container/service:action" or "docker/name:action"
    QStringList clearLogCalls;              // "container/service"
    QList<QPointer<sm::LogStream>> streams; // null once the caller deleted one
    int statusesCalls = 0;
    QHash<QString, int> polls; // statuses() calls per container
    int inFlight = 0;
    int maxInFlight = 0;
    QHash<QString, int> pollsInFlight; // statuses() answers due per container
    QHash<QString, int> maxPollsInFlight;

    void containers(QObject *context, Callback<QList<sm::ContainerInfo>> done) override;
    void services(QObject *context, const QString &container,
                  Callback<QList<sm::ServiceInfo>> done) override;
    void statuses(QObject *context, const QString &container,
                  Callback<QList<sm::ServiceStatus>> done) override;
    void status(QObject *context, const QString &container, const QString &service,
                Callback<sm::ServiceStatus> done) override;
    void statusesJson(QObject *context, const QString &container,
                      Callback<sm::StatusJson> done) override;
    void control(QObject *context, const QString &container, const QString &service,
                 const QString &action, Callback<sm::ControlResult> done) override;
    void logs(QObject *context, const QString &container, const QString &service,
              const sm::LogQuery &query, Callback<sm::LogChunk> done) override;
    void clearLogs(QObject *context, const QString &container, const QString &service,
                   Callback<sm::LogsCleared> done) override;
    void deaths(QObject *context, const QString &container, const QString &service,
                Callback<sm::ServiceDeaths> done) override;
    void runScript(QObject *context, const QString &container, const QString &service,
                   Callback<sm::RunScript> done) override;
    void setRunScript(QObject *context, const QString &container, const QString &service,
                      const QString &content, Callback<sm::RunScript> done) override;
    sm::LogStream *followLogs(const QString &container, const QString &service, int tail) override;

    void dockerContainers(QObject *context, bool all,
                          Callback<QList<sm::DockerContainer>> done) override;
    void dockerStatus(QObject *context, const QString &name,
                      Callback<sm::DockerStatus> done) override;
    void dockerControl(QObject *context, const QString &name, const QString &action,
                       int timeoutSeconds, Callback<sm::DockerControlResult> done) override;
    void dockerLogs(QObject *context, const QString &name, int tail,
                    Callback<sm::DockerLogs> done) override;
    sm::LogStream *followDockerLogs(const QString &name, int tail) override;
    sm::ServiceFeed *watchServices(const QString &container) override;

    void health(QObject *context, Callback<sm::Health> done) override;
    void history(QObject *context, const sm::HistoryQuery &query,
                 Callback<QList<sm::HistoryEvent>> done) override;
    void audit(QObject *context, const sm::AuditQuery &query,
               Callback<QList<sm::AuditEntry>> done) override;

private:
    // When one answer goes out: `poll` names the container of a statuses() call.
    struct Due {
        QString poll;
        int extraDelayMs = 0;
        bool hang = false;
    };

    template <typename T>
    void answer(QObject *context, const QString &call, Callback<T> done,
                std::type_identity_t<sm::Result<T>> result, const Due &due = {});
    void schedule(QObject *context, std::function<void()> deliver, const Due &due);
    sm::LogStream *newStream();
};

// A status as an agent reports it: labelled with the id in capitals, 5 s in its state, down
// ones with exit code 1; wantUp defaults to up.
sm::ServiceStatus makeStatus(const QString &container, const QString &id, bool up, qint64 pid = 0,
                             bool wantUp = false);

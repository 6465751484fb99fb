#pragma once

// An in-memory Backend for the dashboard's unit tests: answers later (never inside the call)
// from values the test sets, counts calls and requests in flight, and can fail on demand.
#include "backend/Backend.h"

#include <QHash>
#include <QPointer>
#include <QTimer>

class FakeBackend final : public sm::Backend {
public:
    using Backend::Backend;

    QList<sm::ContainerInfo> containerList;
    QHash<QString, QList<sm::ServiceStatus>> servicesByContainer;
    QHash<QString, sm::ApiError> statusErrors; // container → error for statuses()
    QList<sm::DockerContainer> dockerList;
    QHash<QString, sm::DockerStatus> dockerDetails;
    sm::Health healthValue;
    std::optional<sm::ApiError> controlError;
    QStringList controlCalls;        // "container/service:action" or "docker/name:action"
    QHash<QString, QString> logText; // "container/service" or "docker/name" → text
    bool streamsSupported = true;
    QStringList clearLogCalls;
    qsizetype maxAnswerBytes = -1; // cursor answers are cut to this many bytes (-1: all)
    bool cursorSupported = true;
    QList<QPointer<sm::LogStream>> streams;
    int delayMs = 0;
    int statusesCalls = 0;
    int logCalls = 0;
    int inFlight = 0;
    int maxInFlight = 0;

    template <typename T> void answer(QObject *context, Callback<T> done, sm::Result<T> result) {
        ++inFlight;
        maxInFlight = std::max(maxInFlight, inFlight);
        QTimer::singleShot(delayMs, context, [this, done, result] {
            --inFlight;
            done(result);
        });
    }

    void containers(QObject *c, Callback<QList<sm::ContainerInfo>> done) override {
        answer(c, done, sm::Result<QList<sm::ContainerInfo>>(containerList));
    }
    void services(QObject *c, const QString &container,
                  Callback<QList<sm::ServiceInfo>> done) override {
        QList<sm::ServiceInfo> out;
        for (const auto &s : servicesByContainer.value(container))
            out.append({s.service, s.serviceLabel});
        answer(c, done, sm::Result<QList<sm::ServiceInfo>>(out));
    }
    void statuses(QObject *c, const QString &container,
                  Callback<QList<sm::ServiceStatus>> done) override {
        ++statusesCalls;
        if (statusErrors.contains(container))
            return answer(c, done, sm::Result<QList<sm::ServiceStatus>>(statusErrors[container]));
        answer(c, done, sm::Result<QList<sm::ServiceStatus>>(servicesByContainer.value(container)));
    }
    void status(QObject *c, const QString &container, const QString &service,
                Callback<sm::ServiceStatus> done) override {
        for (const auto &s : servicesByContainer.value(container))
            if (s.service == service)
                return answer(c, done, sm::Result<sm::ServiceStatus>(s));
        answer(c, done, sm::Result<sm::ServiceStatus>(sm::ApiError::notFound("no such service")));
    }
    void control(QObject *c, const QString &container, const QString &service,
                 const QString &action, Callback<sm::ControlResult> done) override {
        controlCalls.append(container + '/' + service + ':' + action);
        if (controlError)
            return answer(c, done, sm::Result<sm::ControlResult>(*controlError));
        answer(c, done,
               sm::Result<sm::ControlResult>(sm::ControlResult{container, service, action}));
    }
    void logs(QObject *c, const QString &container, const QString &service,
              const sm::LogQuery &query, Callback<sm::LogChunk> done) override {
        ++logCalls;
        const QString text = logText.value(container + '/' + service);
        const QByteArray bytes = text.toUtf8();
        sm::LogChunk chunk{container, service, text, query.tail, std::nullopt, "/log"};
        if (cursorSupported && query.cursor) {
            // At most maxAnswerBytes per answer, as the agent bounds its answers.
            const QByteArray part = bytes.mid(*query.cursor, maxAnswerBytes);
            chunk.logs = QString::fromUtf8(part);
            chunk.tail.reset();
            chunk.cursor = *query.cursor + part.size();
        } else {
            QStringList lines = text.split('\n');
            if (lines.size() > query.tail + 1) // the text ends with '\n'
                chunk.logs = lines.mid(lines.size() - query.tail - 1).join('\n');
            if (cursorSupported)
                chunk.cursor = bytes.size();
        }
        answer(c, done, sm::Result<sm::LogChunk>(chunk));
    }
    void runScript(QObject *c, const QString &container, const QString &service,
                   Callback<sm::RunScript> done) override {
        answer(c, done, sm::Result<sm::RunScript>(sm::RunScript{container, service, "run", ""}));
    }
    void clearLogs(QObject *c, const QString &container, const QString &service,
                   Callback<sm::LogsCleared> done) override {
        clearLogCalls.append(container + '/' + service);
        answer(c, done,
               sm::Result<sm::LogsCleared>(sm::LogsCleared{container, service, "cleared", "log"}));
    }
    void setRunScript(QObject *c, const QString &container, const QString &service,
                      const QString &content, Callback<sm::RunScript> done) override {
        answer(c, done,
               sm::Result<sm::RunScript>(sm::RunScript{container, service, "run", content}));
    }
    sm::LogStream *followLogs(const QString &, const QString &, int) override {
        return newStream();
    }

    void dockerContainers(QObject *c, bool, Callback<QList<sm::DockerContainer>> done) override {
        answer(c, done, sm::Result<QList<sm::DockerContainer>>(dockerList));
    }
    void dockerStatus(QObject *c, const QString &name, Callback<sm::DockerStatus> done) override {
        if (!dockerDetails.contains(name))
            return answer(c, done, sm::Result<sm::DockerStatus>(sm::ApiError::notFound("gone")));
        answer(c, done, sm::Result<sm::DockerStatus>(dockerDetails.value(name)));
    }
    void dockerControl(QObject *c, const QString &name, const QString &action, int,
                       Callback<sm::DockerControlResult> done) override {
        controlCalls.append("docker/" + name + ':' + action);
        if (controlError)
            return answer(c, done, sm::Result<sm::DockerControlResult>(*controlError));
        answer(c, done, sm::Result<sm::DockerControlResult>(sm::DockerControlResult{name, action}));
    }
    void dockerLogs(QObject *c, const QString &name, int tail,
                    Callback<sm::DockerLogs> done) override {
        ++logCalls;
        answer(c, done,
               sm::Result<sm::DockerLogs>(
                   sm::DockerLogs{name, logText.value("docker/" + name), tail}));
    }
    sm::LogStream *followDockerLogs(const QString &, int) override { return newStream(); }

    void health(QObject *c, Callback<sm::Health> done) override {
        answer(c, done, sm::Result<sm::Health>(healthValue));
    }

    sm::LogStream *newStream() {
        auto *stream = new sm::LogStream;
        streams.append(stream);
        if (!streamsSupported)
            QTimer::singleShot(0, stream, [stream] {
                Q_EMIT stream->finished({501, "no live logs here", QJsonValue::Null});
            });
        return stream;
    }
};

inline sm::ServiceStatus makeStatus(const QString &container, const QString &id, bool up,
                                    qint64 pid = 0, bool wantUp = false) {
    sm::ServiceStatus s;
    s.container = container;
    s.service = id;
    s.serviceLabel = id.toUpper();
    s.name = id;
    s.isUp = up;
    if (up)
        s.pid = pid;
    s.uptimeSeconds = 5;
    s.wantUp = wantUp || up;
    s.normallyUp = true;
    if (!up)
        s.exitCode = 1;
    s.raw = up ? QString("up (pid %1) 5 seconds").arg(pid) : QString("down (exitcode 1) 5 seconds");
    return s;
}

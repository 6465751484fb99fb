#pragma once

// A Backend for the live-update unit tests: statuses() answers per container from a script
// (a list, an error, or never), counts polls and how many overlap, and can feed log streams.

#include "backend/Backend.h"

#include <QHash>
#include <QPointer>
#include <QTimer>

#include <optional>

class LiveFakeBackend final : public sm::Backend {
public:
    using sm::Backend::Backend;

    struct Script {
        QList<sm::ServiceStatus> statuses;
        std::optional<sm::ApiError> error;
        bool hang = false; // never answer (the Backend's deadline lost)
        int delayMs = 0;
    };
    QHash<QString, Script> scripts;
    QHash<QString, int> polls;    // statuses() calls per container
    QHash<QString, int> inflight; // answers still due per container
    QHash<QString, int> maxInflight;
    QList<QPointer<sm::LogStream>> streams; // handed out by followLogs/followDockerLogs
    bool canFollow = true;

    void statuses(QObject *ctx, const QString &c,
                  Callback<QList<sm::ServiceStatus>> done) override {
        ++polls[c];
        const int now = ++inflight[c];
        maxInflight[c] = qMax(maxInflight.value(c), now);
        const Script script = scripts.value(c);
        if (script.hang)
            return; // leaves inflight up: the caller must give up on it
        sm::Result<QList<sm::ServiceStatus>> result =
            script.error ? sm::Result<QList<sm::ServiceStatus>>(*script.error)
                         : sm::Result<QList<sm::ServiceStatus>>(script.statuses);
        QPointer<QObject> guard(ctx);
        QTimer::singleShot(script.delayMs, this, [this, guard, c, done, result] {
            --inflight[c];
            if (guard)
                done(result);
        });
    }
    void status(QObject *ctx, const QString &c, const QString &s,
                Callback<sm::ServiceStatus> done) override {
        sm::ServiceStatus status;
        status.container = c;
        status.service = s;
        status.name = s;
        later(ctx, std::move(done), sm::Result<sm::ServiceStatus>(status));
    }
    sm::LogStream *followLogs(const QString &, const QString &, int) override {
        return newStream();
    }
    void dockerStatus(QObject *ctx, const QString &name, Callback<sm::DockerStatus> done) override {
        sm::DockerStatus status;
        status.name = name;
        later(ctx, std::move(done), sm::Result<sm::DockerStatus>(status));
    }
    sm::LogStream *followDockerLogs(const QString &, int) override { return newStream(); }

    // Unused by these tests: answer "not here".
    void containers(QObject *ctx, Callback<QList<sm::ContainerInfo>> done) override {
        unused(ctx, std::move(done));
    }
    void services(QObject *ctx, const QString &, Callback<QList<sm::ServiceInfo>> d) override {
        unused(ctx, std::move(d));
    }
    void control(QObject *ctx, const QString &, const QString &, const QString &,
                 Callback<sm::ControlResult> done) override {
        unused(ctx, std::move(done));
    }
    void logs(QObject *ctx, const QString &, const QString &, const sm::LogQuery &,
              Callback<sm::LogChunk> done) override {
        unused(ctx, std::move(done));
    }
    void runScript(QObject *ctx, const QString &, const QString &,
                   Callback<sm::RunScript> done) override {
        unused(ctx, std::move(done));
    }
    void clearLogs(QObject *ctx, const QString &, const QString &,
                   Callback<sm::LogsCleared> done) override {
        unused(ctx, std::move(done));
    }
    void setRunScript(QObject *ctx, const QString &, const QString &, const QString &,
                      Callback<sm::RunScript> done) override {
        unused(ctx, std::move(done));
    }
    void dockerContainers(QObject *ctx, bool, Callback<QList<sm::DockerContainer>> d) override {
        unused(ctx, std::move(d));
    }
    void dockerControl(QObject *ctx, const QString &, const QString &, int,
                       Callback<sm::DockerControlResult> done) override {
        unused(ctx, std::move(done));
    }
    void dockerLogs(QObject *ctx, const QString &, int, Callback<sm::DockerLogs> done) override {
        unused(ctx, std::move(done));
    }
    void health(QObject *ctx, Callback<sm::Health> done) override { unused(ctx, std::move(done)); }

private:
    sm::LogStream *newStream() {
        if (!canFollow)
            return nullptr;
        auto *stream = new sm::LogStream;
        streams.append(stream);
        return stream;
    }
    template <typename T> void later(QObject *ctx, Callback<T> done, sm::Result<T> result) {
        QPointer<QObject> guard(ctx);
        QTimer::singleShot(0, this, [guard, done = std::move(done), result] {
            if (guard)
                done(result);
        });
    }
    template <typename T> void unused(QObject *ctx, Callback<T> done) {
        later(ctx, std::move(done), sm::Result<T>(sm::ApiError::notFound("not in this test")));
    }
};

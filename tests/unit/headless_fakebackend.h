#pragma once

// A scripted Backend for the REST unit tests: every call records its arguments and answers
// with the result the test queued (or never, to exercise the watchdog).

#include "backend/Backend.h"

#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

class FakeBackend final : public sm::Backend {
public:
    using sm::Backend::Backend;

    QStringList calls;                    // "method arg arg ..." per call
    std::optional<sm::ApiError> failWith; // answer every call with this error
    bool neverAnswer = false;             // drop the callback (a lost answer)
    int delayMs = 0;                      // answer after this long
    std::function<void()> pendingAnswer;  // with delayMs < 0: the answer, for the test to run

    sm::ServiceStatus statusValue;

    void containers(QObject *ctx, Callback<QList<sm::ContainerInfo>> done) override {
        answer(ctx, "containers", std::move(done),
               QList<sm::ContainerInfo>{{"ai_worker", "/agents/ai_worker/s6_agent.sock"},
                                        {"perception", "/agents/p.sock"}});
    }
    void services(QObject *ctx, const QString &c, Callback<QList<sm::ServiceInfo>> done) override {
        answer(ctx, "services " + c, std::move(done),
               QList<sm::ServiceInfo>{{"ros_bridge", "ROS Bridge"}, {"svc", "svc"}});
    }
    void statuses(QObject *ctx, const QString &c,
                  Callback<QList<sm::ServiceStatus>> done) override {
        answer(ctx, "statuses " + c, std::move(done), QList<sm::ServiceStatus>{statusValue});
    }
    void status(QObject *ctx, const QString &c, const QString &s,
                Callback<sm::ServiceStatus> done) override {
        answer(ctx, "status " + c + ' ' + s, std::move(done), statusValue);
    }
    void control(QObject *ctx, const QString &c, const QString &s, const QString &action,
                 Callback<sm::ControlResult> done) override {
        answer(ctx, "control " + c + ' ' + s + ' ' + action, std::move(done),
               sm::ControlResult{c, s, action});
    }
    void logs(QObject *ctx, const QString &c, const QString &s, const sm::LogQuery &q,
              Callback<sm::LogChunk> done) override {
        answer(ctx,
               QStringLiteral("logs %1 %2 %3 %4 %5")
                   .arg(c, s)
                   .arg(q.tail)
                   .arg(q.stripAnsi)
                   .arg(q.cursor.value_or(-1)),
               std::move(done), sm::LogChunk{c, s, "a\nb\n", q.tail, {}, "/var/log/svc/current"});
    }
    void runScript(QObject *ctx, const QString &c, const QString &s,
                   Callback<sm::RunScript> done) override {
        answer(ctx, "run " + c + ' ' + s, std::move(done),
               sm::RunScript{c, s, "/etc/s6/" + s + "/run", "#!/bin/sh\n"});
    }
    void setRunScript(QObject *ctx, const QString &c, const QString &s, const QString &content,
                      Callback<sm::RunScript> done) override {
        answer(ctx, "setrun " + c + ' ' + s + ' ' + content, std::move(done),
               sm::RunScript{c, s, "/etc/s6/" + s + "/run", content});
    }
    void clearLogs(QObject *ctx, const QString &c, const QString &s,
                   Callback<sm::LogsCleared> done) override {
        answer(ctx, "clearlogs " + c + ' ' + s, std::move(done),
               sm::LogsCleared{c, s, "Logs cleared successfully", "/var/log/svc/current"});
    }
    sm::LogStream *followLogs(const QString &, const QString &, int) override { return nullptr; }
    void dockerContainers(QObject *ctx, bool all,
                          Callback<QList<sm::DockerContainer>> done) override {
        answer(ctx, QStringLiteral("docker-list %1").arg(all), std::move(done),
               QList<sm::DockerContainer>{{QString(64, u'a'), "ai_worker", "running", "repo:tag",
                                           "2024-01-01T00:00:00Z"}});
    }
    void dockerStatus(QObject *ctx, const QString &name, Callback<sm::DockerStatus> done) override {
        sm::DockerStatus s;
        s.id = QString(64, u'b');
        s.name = name;
        s.status = "running";
        s.state = "running";
        s.running = true;
        s.image = "repo:tag";
        s.created = "2024-01-01T00:00:00Z";
        s.startedAt = "2024-01-01T00:00:01Z";
        s.finishedAt = "0001-01-01T00:00:00Z";
        answer(ctx, "docker-status " + name, std::move(done), s);
    }
    void dockerControl(QObject *ctx, const QString &name, const QString &action, int timeout,
                       Callback<sm::DockerControlResult> done) override {
        answer(ctx, QStringLiteral("docker-control %1 %2 %3").arg(name, action).arg(timeout),
               std::move(done), sm::DockerControlResult{name, action});
    }
    void dockerLogs(QObject *ctx, const QString &name, int tail,
                    Callback<sm::DockerLogs> done) override {
        answer(ctx, QStringLiteral("docker-logs %1 %2").arg(name).arg(tail), std::move(done),
               sm::DockerLogs{name, "2024-01-01T00:00:00Z hi\n", tail});
    }
    sm::LogStream *followDockerLogs(const QString &, int) override { return nullptr; }
    void health(QObject *ctx, Callback<sm::Health> done) override {
        answer(ctx, "health", std::move(done),
               sm::Health{{{"ai_worker", true}, {"perception", false}}, false, {}});
    }

private:
    template <typename T>
    void answer(QObject *ctx, const QString &call, Callback<T> done, T value) {
        calls.append(call);
        if (neverAnswer)
            return;
        sm::Result<T> result = failWith ? sm::Result<T>(*failWith) : sm::Result<T>(value);
        QPointer<QObject> guard(ctx);
        auto run = [guard, done = std::move(done), result]() {
            if (guard) // the contract: dropped unanswered only if the context is gone
                done(result);
        };
        if (delayMs < 0)
            pendingAnswer = run;
        else
            QTimer::singleShot(delayMs, ctx, run);
    }
};

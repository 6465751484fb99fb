#pragma once

#include "async/Async.h"
#include "model/Types.h"

class QObject;

namespace sm {

// The host's Docker containers: the half of a Backend that knows nothing of s6 or its agents
// (the REST API's /docker routes need only this). The rules are Backend's: every call answers
// exactly once through its callback, on the caller's thread, never inside the call, and not at
// all once `context` is destroyed.
class DockerBackend {
public:
    virtual ~DockerBackend() = default;

    virtual void dockerContainers(QObject *context, bool all,
                                  Callback<QList<DockerContainer>> done) = 0;
    virtual void dockerStatus(QObject *context, const QString &name,
                              Callback<DockerStatus> done) = 0;
    virtual void dockerControl(QObject *context, const QString &name, const QString &action,
                               int timeoutSeconds, Callback<DockerControlResult> done) = 0;
    virtual void dockerLogs(QObject *context, const QString &name, int tail,
                            Callback<DockerLogs> done) = 0;
    // Starts with the last `tail` lines, then follows. The caller owns the stream.
    virtual LogStream *followDockerLogs(const QString &name, int tail) = 0;

protected:
    DockerBackend() = default;
    DockerBackend(const DockerBackend &) = default;
    DockerBackend &operator=(const DockerBackend &) = default;
};

} // namespace sm

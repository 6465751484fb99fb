// LocalBackend's Docker methods: DockerClient calls, the REST shapes, and the docker.control
// allowlist. Without a DockerClient every call answers 503.
#include "backend/LocalBackend.h"

#include "docker/DockerClient.h"

namespace sm {

namespace {

ApiError noDocker() {
    return ApiError::unavailable(
        QStringLiteral("Docker support is not enabled in this system-managerd"));
}

} // namespace

void LocalBackend::dockerContainers(QObject *context, bool all,
                                    Callback<QList<DockerContainer>> done) {
    if (!m_docker)
        return later(context, [done = std::move(done)] { done(noDocker()); });
    m_docker->containers(context, all, std::move(done));
}

void LocalBackend::dockerStatus(QObject *context, const QString &name,
                                Callback<DockerStatus> done) {
    if (!m_docker)
        return later(context, [done = std::move(done)] { done(noDocker()); });
    m_docker->inspect(context, name, [done = std::move(done)](Result<DockerInspect> r) {
        r.ok() ? done(r.value().status) : done(r.error());
    });
}

void LocalBackend::dockerControl(QObject *context, const QString &name, const QString &action,
                                 int timeoutSeconds, Callback<DockerControlResult> done) {
    if (!m_docker)
        return later(context, [done = std::move(done)] { done(noDocker()); });
    if (!m_config.docker.control) {
        m_docker->control(context, name, action, timeoutSeconds,
                          [name, action, done = std::move(done)](Result<Done> r) {
                              r.ok() ? done(DockerControlResult{name, action}) : done(r.error());
                          });
        return;
    }
    // Listing and reading stay open; only changes are limited to the configured names, checked
    // twice: the name asked for (so an unknown name is refused like any other), then, since the
    // Engine also resolves id prefixes, the container's own name; the control goes to the id
    // that was checked.
    const auto denied = [](const QString &who) {
        return ApiError::forbidden(
            QStringLiteral("Docker container '%1' may not be controlled: it is not "
                           "listed in docker.control")
                .arg(who));
    };
    if (!m_config.docker.mayControl(name))
        return later(context, [error = denied(name), done = std::move(done)] { done(error); });
    m_docker->inspect(
        context, name,
        [this, context, name, action, timeoutSeconds, denied,
         done = std::move(done)](Result<DockerInspect> found) mutable {
            if (!found.ok())
                return done(found.error());
            const DockerStatus &target = found.value().status;
            if (!m_config.docker.mayControl(target.name))
                return done(denied(target.name));
            m_docker->control(
                context, target.id, action, timeoutSeconds,
                [name, action, done = std::move(done)](Result<Done> r) {
                    r.ok() ? done(DockerControlResult{name, action}) : done(r.error());
                });
        });
}

void LocalBackend::dockerLogs(QObject *context, const QString &name, int tail,
                              Callback<DockerLogs> done) {
    if (!m_docker)
        return later(context, [done = std::move(done)] { done(noDocker()); });
    m_docker->logs(context, name, tail, [name, tail, done = std::move(done)](Result<QString> r) {
        if (!r.ok())
            return done(r.error());
        done(DockerLogs{name, r.value(), tail});
    });
}

LogStream *LocalBackend::followDockerLogs(const QString &name, int tail) {
    if (!m_docker)
        return failedStream(noDocker());
    return m_docker->followLogs(name, tail);
}

void LocalBackend::dockerAvailable(QObject *context, std::function<void(bool)> done) {
    if (!m_docker)
        return later(context, [done = std::move(done)] { done(false); });
    m_docker->ping(context, [done = std::move(done)](Result<QString> r) { done(r.ok()); });
}

} // namespace sm

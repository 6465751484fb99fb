#include "docker/DockerClient.h"

#include "docker/DockerFrames.h"
#include "docker/DockerStreams.h"
#include "http/HttpClient.h"
#include "rules/Rules.h"

#include <QUrl>

namespace sm {

namespace {

constexpr int PingTimeoutMs = 5000;
constexpr int StartTimeoutMs = 30000;
constexpr qint64 MaxJsonBytes = 16 * 1024 * 1024;
constexpr qint64 MaxLogBytes = 32 * 1024 * 1024;

// "1.41" → 1041, for comparing versions; 0 when unreadable.
int versionKey(const QString &version) {
    const QStringList parts = version.trimmed().split(QLatin1Char('.'));
    bool ok1 = false, ok2 = false;
    const int major = parts.value(0).toInt(&ok1);
    const int minor = parts.value(1).toInt(&ok2);
    return parts.size() == 2 && ok1 && ok2 ? major * 1000 + minor : 0;
}

QByteArray containerPath(const QString &name, const char *suffix) {
    return "/containers/" + QUrl::toPercentEncoding(name) + suffix;
}

} // namespace

DockerClient::DockerClient(const QString &socketPath, QObject *parent)
    : QObject(parent)
    , m_http(new HttpClient(socketPath, 8, this)) {}

DockerClient::~DockerClient() = default;

QString DockerClient::resolveSocketPath(const QString &configured) {
    return resolveDockerSocket(configured, qEnvironmentVariable("DOCKER_HOST")).path;
}

QString DockerClient::socketPath() const {
    return m_http->socketPath();
}

void DockerClient::ping(QObject *context, Callback<QString> done) {
    HttpRequest request;
    request.target = "/_ping";
    request.timeoutMs = qMin(PingTimeoutMs, m_readTimeoutMs);
    QPointer<QObject> guard(context);
    m_http->send(request, this, [this, guard, done = std::move(done)](HttpResult result) {
        Result<QString> answer = ApiError{};
        if (!result.ok()) {
            m_version.clear();
            answer = transportError(result.error);
        } else if (result.response->status != 200) {
            answer = engineError(result.response->status, result.response->body, {});
        } else {
            const QString server = QString::fromLatin1(result.response->header("Api-Version"));
            const QString ours = QString::fromLatin1(OurApiVersion);
            const int key = versionKey(server);
            m_version = key > 0 && key < versionKey(ours) ? server.trimmed() : ours;
            answer = m_version;
        }
        if (guard)
            done(answer);
    });
}

void DockerClient::negotiate(QObject *context, std::function<void(Result<QString>)> done) {
    m_waiters.append({context, std::move(done)});
    if (m_waiters.size() > 1)
        return; // a ping is already on its way
    ping(this, [this](Result<QString> result) {
        const QList<Waiter> waiters = std::exchange(m_waiters, {});
        for (const Waiter &w : waiters)
            if (w.context)
                w.done(result);
    });
}

void DockerClient::versioned(QObject *context, const QByteArray &pathAndQuery,
                             std::function<void(Result<HttpRequest>)> done) {
    auto build = [pathAndQuery, done = std::move(done)](Result<QString> version) {
        if (!version.ok())
            return done(version.error());
        HttpRequest request;
        request.target = "/v" + version.value().toLatin1() + pathAndQuery;
        done(request);
    };
    if (m_version.isEmpty())
        return negotiate(context, std::move(build));
    answerLater<QString>(context, std::move(build), m_version);
}

void DockerClient::call(QObject *context, const QByteArray &method, const QByteArray &pathAndQuery,
                        int timeoutMs, qint64 maxBytes,
                        std::function<void(Result<HttpResponse>)> done, bool retried) {
    QPointer<QObject> guard(context);
    versioned(context, pathAndQuery, [=, this](Result<HttpRequest> built) {
        if (!built.ok())
            return done(built.error());
        HttpRequest request = built.value();
        request.method = method;
        request.timeoutMs = timeoutMs;
        request.maxBodyBytes = maxBytes;
        m_http->send(request, this, [=, this](HttpResult result) {
            if (!result.ok()) {
                const ApiError error = transportError(result.error);
                if (guard)
                    done(error);
                return;
            }
            const HttpResponse &response = *result.response;
            if (response.status == 400 && !retried &&
                dockerErrorMessage(response.body).contains(QLatin1String("version"))) {
                m_version.clear();
                if (guard)
                    call(guard, method, pathAndQuery, timeoutMs, maxBytes, done, true);
                return;
            }
            if (guard)
                done(response);
        });
    });
}

ApiError DockerClient::transportError(const HttpError &error) {
    switch (error.kind) {
    case HttpError::SocketMissing:
    case HttpError::Refused:
    case HttpError::Cancelled:
        // Not cached: the next call tries the socket again and negotiates afresh.
        m_version.clear();
        return ApiError::unavailable(
            QStringLiteral("Docker is not available: %1 (is the Engine running? the socket is "
                           "docker.socket_path in the config, or DOCKER_HOST)")
                .arg(error.message));
    case HttpError::Busy:
        return ApiError::unavailable(
            QStringLiteral("Docker is busy: %1; try again shortly").arg(error.message));
    case HttpError::Timeout:
        return ApiError::timeout(
            QStringLiteral("Docker did not answer in time: %1").arg(error.message));
    case HttpError::Reset:
        m_version.clear();
        return ApiError::badGateway(
            QStringLiteral("Docker closed the connection: %1").arg(error.message));
    case HttpError::Garbage:
    case HttpError::TooLarge:
        break;
    }
    return ApiError::badGateway(
        QStringLiteral("Docker sent an unusable answer: %1").arg(error.message));
}

ApiError DockerClient::engineError(int status, const QByteArray &body, const QString &name) {
    if (status == 404 && !name.isEmpty())
        return ApiError::notFound(QStringLiteral("Docker container '%1' not found").arg(name));
    const QString message = dockerErrorMessage(body);
    if (status == 409)
        return ApiError::conflict(QStringLiteral("Docker refused: %1").arg(message));
    return ApiError::badGateway(QStringLiteral("Docker answered %1: %2").arg(status).arg(message));
}

void DockerClient::containers(QObject *context, bool all, Callback<QList<DockerContainer>> done) {
    call(context, "GET", all ? "/containers/json?all=1" : "/containers/json", m_readTimeoutMs,
         MaxJsonBytes, [done = std::move(done)](Result<HttpResponse> r) {
             if (!r.ok())
                 return done(r.error());
             if (r.value().status != 200)
                 return done(engineError(r.value().status, r.value().body, {}));
             done(dockerContainersFromEngine(r.value().body));
         });
}

void DockerClient::inspect(QObject *context, const QString &name, Callback<DockerInspect> done) {
    if (name.isEmpty())
        return answerLater<DockerInspect>(
            context, std::move(done),
            ApiError::notFound(QStringLiteral("Docker container '' not found")));
    call(context, "GET", containerPath(name, "/json"), m_readTimeoutMs, MaxJsonBytes,
         [name, done = std::move(done)](Result<HttpResponse> r) {
             if (!r.ok())
                 return done(r.error());
             if (r.value().status != 200)
                 return done(engineError(r.value().status, r.value().body, name));
             done(dockerInspectFromEngine(r.value().body));
         });
}

void DockerClient::control(QObject *context, const QString &name, const QString &action,
                           int timeoutSeconds, Callback<Done> done) {
    const std::optional<DockerAction> parsed = parseDockerAction(action);
    if (!parsed)
        return answerLater<Done>(
            context, std::move(done),
            ApiError::unprocessable(QStringLiteral("Unknown action '%1'; use %2")
                                        .arg(action, choiceList(dockerActionNames())),
                                    QStringLiteral("action")));
    if (name.isEmpty())
        return answerLater<Done>(
            context, std::move(done),
            ApiError::notFound(QStringLiteral("Docker container '' not found")));
    QByteArray path = containerPath(name, "/") + action.toLatin1();
    int httpTimeoutMs = qMax(StartTimeoutMs, m_readTimeoutMs);
    if (*parsed != DockerAction::Start) {
        if (timeoutSeconds >= 0)
            path += "?t=" + QByteArray::number(timeoutSeconds);
        // The Engine answers only after the grace period and the kill; allow for both.
        httpTimeoutMs = (timeoutSeconds >= 0 ? timeoutSeconds : 10) * 1000 + m_readTimeoutMs;
    }
    call(context, "POST", path, httpTimeoutMs, MaxJsonBytes,
         [name, done = std::move(done)](Result<HttpResponse> r) {
             if (!r.ok())
                 return done(r.error());
             const int status = r.value().status;
             if (status == 204 || status == 304 || status == 200)
                 return done(Done{});
             done(engineError(status, r.value().body, name));
         });
}

void DockerClient::logs(QObject *context, const QString &name, int tail, Callback<QString> done) {
    QPointer<QObject> guard(context);
    inspect(
        context, name,
        [this, guard, name, tail, done = std::move(done)](Result<DockerInspect> info) {
            if (!info.ok())
                return done(info.error());
            const bool tty = info.value().tty;
            const QByteArray path = containerPath(info.value().status.id, "/logs") +
                                    "?stdout=1&stderr=1&timestamps=1&tail=" +
                                    (tail < 0 ? QByteArray("all") : QByteArray::number(tail));
            call(guard, "GET", path, m_readTimeoutMs, MaxLogBytes,
                 [name, tty, done](Result<HttpResponse> r) {
                     if (!r.ok())
                         return done(r.error());
                     if (r.value().status != 200)
                         return done(engineError(r.value().status, r.value().body, name));
                     DockerLogDecoder decoder(tty);
                     QList<QByteArray> lines = decoder.feed(r.value().body);
                     lines += decoder.finish();
                     const DockerFrameDemuxer &demux = decoder.demuxer();
                     if (demux.failed() || demux.midFrame())
                         return done(ApiError::badGateway(
                             QStringLiteral("Docker sent broken log frames for '%1': %2")
                                 .arg(name, demux.failed()
                                                ? demux.error()
                                                : QStringLiteral("the body ends inside a frame"))));
                     QByteArray text;
                     for (const QByteArray &line : lines)
                         text += line + '\n';
                     done(QString::fromUtf8(text));
                 });
        });
}

LogStream *DockerClient::followLogs(const QString &name, int tail) {
    return new DockerLogStream(this, name, tail);
}

DockerEventReader *DockerClient::events() {
    return new DockerEventReader(this);
}

} // namespace sm

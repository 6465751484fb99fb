#include "backend/RemoteBackend.h"

#include "backend/RemoteHttp.h"
#include "backend/RemoteJson.h"
#include "backend/RemoteStreams.h"
#include "model/JsonWriter.h"
#include "rules/Rules.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>

namespace sm {

namespace {

QString seg(const QString &s) {
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

QString servicePath(const QString &container, const QString &service) {
    return QStringLiteral("/containers/%1/services/%2").arg(seg(container), seg(service));
}

// Events carry a heartbeat at least every 15 s, so a silent minute means the link is gone.
constexpr int kEventsIdleTimeoutMs = 45000;

} // namespace

RemoteBackend::RemoteBackend(const QUrl &baseUrl, const QString &token, QObject *parent)
    : Backend(parent)
    , m_nam(new QNetworkAccessManager(this))
    , m_base(baseUrl)
    , m_token(token.toUtf8()) {
    // A robot on this machine (the demo) is never reached through an environment proxy.
    if (isLoopbackHost(m_base.host()))
        m_nam->setProxy(QNetworkProxy::NoProxy);
    m_healthTimer.setInterval(2000);
    connect(&m_healthTimer, &QTimer::timeout, this, &RemoteBackend::pollHealth);
    m_events = new RemoteEventStream(
        m_nam, eventsRequest(), [this](const Event &event) { publish(event); }, this);
    connect(m_events, &RemoteEventStream::streamingChanged, this, &Backend::setLive);
}

RemoteBackend::~RemoteBackend() = default;

void RemoteBackend::publish(const Event &event) {
    if (const auto *status = std::get_if<ServiceStatus>(&event))
        Q_EMIT serviceChanged(*status);
    else if (const auto *removed = std::get_if<ServiceRemoved>(&event))
        Q_EMIT serviceRemoved(removed->container, removed->service);
    else if (const auto *agent = std::get_if<AgentReachability>(&event))
        Q_EMIT agentReachabilityChanged(agent->container, agent->reachable);
    else if (const auto *docker = std::get_if<DockerEvent>(&event))
        Q_EMIT dockerEvent(*docker);
}

QNetworkRequest RemoteBackend::eventsRequest() const {
    QNetworkRequest events = makeRequest(QStringLiteral("/events"), {});
    events.setRawHeader("Accept", "text/event-stream");
    events.setTransferTimeout(kEventsIdleTimeoutMs);
    return events;
}

void RemoteBackend::setToken(const QString &token) {
    m_token = token.toUtf8();
    m_events->setRequest(eventsRequest());
}

bool RemoteBackend::isStreamingEvents() const {
    return m_events->isStreaming();
}

void RemoteBackend::setHealthInterval(int ms) {
    m_healthTimer.stop();
    if (ms > 0) {
        m_healthTimer.setInterval(ms);
        m_healthTimer.start();
    }
}

void RemoteBackend::start() {
    m_started = true;
    pollHealth();
    if (m_healthTimer.interval() > 0)
        m_healthTimer.start();
    m_events->start();
}

QNetworkRequest RemoteBackend::makeRequest(const QString &path, const QUrlQuery &query) const {
    const QString base = m_base.toString(QUrl::StripTrailingSlash | QUrl::RemoveQuery |
                                         QUrl::RemoveFragment | QUrl::FullyEncoded);
    QUrl url = QUrl::fromEncoded((base + path).toUtf8());
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(m_timeoutMs);
    return request;
}

void RemoteBackend::send(QObject *context, const QByteArray &verb, const QString &path,
                         const QUrlQuery &query, const QByteArray &body, JsonDone done,
                         int extraTimeoutMs) {
    QNetworkRequest request = makeRequest(path, query);
    if (extraTimeoutMs > 0)
        request.setTransferTimeout(m_timeoutMs + extraTimeoutMs);
    QNetworkReply *reply = nullptr;
    if (verb == "GET") {
        reply = m_nam->get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        reply = m_nam->sendCustomRequest(request, verb, body);
    }
    // The reply is cleaned up even when the caller's context is gone before it finishes.
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        noteReply(reply);
        reply->deleteLater();
    });
    connect(reply, &QNetworkReply::finished, context, [reply, done = std::move(done)] {
        const QByteArray bytes = reply->isOpen() ? reply->readAll() : QByteArray();
        if (reply->error() != QNetworkReply::NoError) {
            done(remoteReplyError(reply, bytes));
            return;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
        if (!doc.isObject()) {
            done(ApiError::badGateway(
                QStringLiteral("system-managerd at %1 sent an answer that is not a JSON object")
                    .arg(remoteDisplayUrl(reply))));
            return;
        }
        done(doc.object());
    });
}

template <typename T, typename Read>
void RemoteBackend::call(QObject *context, const QByteArray &verb, const QString &path,
                         const QUrlQuery &query, const QByteArray &body, Callback<T> done,
                         Read read, int extraTimeoutMs) {
    send(
        context, verb, path, query, body,
        [done = std::move(done), read](Result<QJsonObject> result) {
            if (!result.ok())
                done(result.error());
            else
                done(read(result.value()));
        },
        extraTimeoutMs);
}

void RemoteBackend::noteReply(QNetworkReply *reply) {
    const QString where = remoteDisplayUrl(reply);
    if (remoteLinkFailed(reply))
        setConnected(false, remoteReplyError(reply, {}).message);
    else
        setConnected(true, QStringLiteral("Connected to %1").arg(where));
}

void RemoteBackend::setConnected(bool connected, const QString &description) {
    if (m_connected == connected)
        return;
    m_connected = connected;
    if (connected && m_started)
        m_events->start(); // back at once instead of waiting out the backoff
    Q_EMIT connectionChanged(connected, description);
}

void RemoteBackend::pollHealth() {
    if (m_healthPending)
        return;
    m_healthPending = true;
    health(this, [this](Result<Health> result) {
        m_healthPending = false;
        if (!result.ok())
            return;
        for (const auto &[name, reachable] : result.value().agents) {
            const auto it = m_agentReachable.constFind(name);
            if (it != m_agentReachable.constEnd() && *it == reachable)
                continue;
            m_agentReachable.insert(name, reachable);
            Q_EMIT agentReachabilityChanged(name, reachable);
        }
    });
}

void RemoteBackend::containers(QObject *context, Callback<QList<ContainerInfo>> done) {
    call(context, "GET", QStringLiteral("/containers"), {}, {}, std::move(done),
         remotejson::containers);
}

void RemoteBackend::services(QObject *context, const QString &container,
                             Callback<QList<ServiceInfo>> done) {
    call(context, "GET", QStringLiteral("/containers/%1/services").arg(seg(container)), {}, {},
         std::move(done), remotejson::services);
}

void RemoteBackend::statuses(QObject *context, const QString &container,
                             Callback<QList<ServiceStatus>> done) {
    call(context, "GET", QStringLiteral("/containers/%1/services/status").arg(seg(container)), {},
         {}, std::move(done), remotejson::statuses);
}

void RemoteBackend::status(QObject *context, const QString &container, const QString &service,
                           Callback<ServiceStatus> done) {
    call(context, "GET", servicePath(container, service) + QStringLiteral("/status"), {}, {},
         std::move(done), remotejson::serviceStatus);
}

void RemoteBackend::control(QObject *context, const QString &container, const QString &service,
                            const QString &action, Callback<ControlResult> done) {
    call(context, "POST", servicePath(container, service), {},
         JsonObjectWriter().add("action", action).toJson(), std::move(done),
         remotejson::controlResult);
}

void RemoteBackend::logs(QObject *context, const QString &container, const QString &service,
                         const LogQuery &query, Callback<LogChunk> done) {
    QUrlQuery q;
    if (query.cursor)
        q.addQueryItem(QStringLiteral("cursor"), QString::number(*query.cursor));
    else
        q.addQueryItem(QStringLiteral("tail"), QString::number(query.tail));
    if (query.stripAnsi)
        q.addQueryItem(QStringLiteral("strip_ansi"), QStringLiteral("true"));
    call(context, "GET", servicePath(container, service) + QStringLiteral("/logs"), q, {},
         std::move(done), remotejson::logChunk);
}

void RemoteBackend::deaths(QObject *context, const QString &container, const QString &service,
                           Callback<ServiceDeaths> done) {
    call(context, "GET", servicePath(container, service) + QStringLiteral("/deaths"), {}, {},
         std::move(done), remotejson::serviceDeaths);
}

void RemoteBackend::runScript(QObject *context, const QString &container, const QString &service,
                              Callback<RunScript> done) {
    call(context, "GET", servicePath(container, service) + QStringLiteral("/run"), {}, {},
         std::move(done), remotejson::runScript);
}

void RemoteBackend::setRunScript(QObject *context, const QString &container, const QString &service,
                                 const QString &content, Callback<RunScript> done) {
    call(context, "PUT", servicePath(container, service) + QStringLiteral("/run"), {},
         JsonObjectWriter().add("content", content).toJson(), std::move(done),
         remotejson::runScript);
}

void RemoteBackend::clearLogs(QObject *context, const QString &container, const QString &service,
                              Callback<LogsCleared> done) {
    call(context, "DELETE", servicePath(container, service) + QStringLiteral("/logs"), {}, {},
         std::move(done), remotejson::logsCleared);
}

LogStream *RemoteBackend::followLogs(const QString &container, const QString &service, int tail) {
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("follow"), QStringLiteral("true"));
    q.addQueryItem(QStringLiteral("tail"), QString::number(tail));
    QNetworkRequest request = makeRequest(servicePath(container, service) + "/logs", q);
    request.setRawHeader("Accept", "text/event-stream");
    request.setTransferTimeout(0); // a quiet log is not a broken link
    return new RemoteLogStream(m_nam, request, m_timeoutMs);
}

void RemoteBackend::dockerContainers(QObject *context, bool all,
                                     Callback<QList<DockerContainer>> done) {
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("all"), all ? QStringLiteral("true") : QStringLiteral("false"));
    call(context, "GET", QStringLiteral("/docker/containers"), q, {}, std::move(done),
         remotejson::dockerContainers);
}

void RemoteBackend::dockerStatus(QObject *context, const QString &name,
                                 Callback<DockerStatus> done) {
    call(context, "GET", QStringLiteral("/docker/containers/%1/status").arg(seg(name)), {}, {},
         std::move(done), remotejson::dockerStatus);
}

void RemoteBackend::dockerControl(QObject *context, const QString &name, const QString &action,
                                  int timeoutSeconds, Callback<DockerControlResult> done) {
    call(context, "POST", QStringLiteral("/docker/containers/%1").arg(seg(name)), {},
         JsonObjectWriter().add("action", action).add("timeout", timeoutSeconds).toJson(),
         std::move(done), remotejson::dockerControlResult, std::max(0, timeoutSeconds) * 1000);
}

void RemoteBackend::dockerLogs(QObject *context, const QString &name, int tail,
                               Callback<DockerLogs> done) {
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("tail"), QString::number(tail));
    call(context, "GET", QStringLiteral("/docker/containers/%1/logs").arg(seg(name)), q, {},
         std::move(done), remotejson::dockerLogs);
}

LogStream *RemoteBackend::followDockerLogs(const QString &name, int tail) {
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("follow"), QStringLiteral("true"));
    q.addQueryItem(QStringLiteral("tail"), QString::number(tail));
    QNetworkRequest request =
        makeRequest(QStringLiteral("/docker/containers/%1/logs").arg(seg(name)), q);
    request.setRawHeader("Accept", "text/event-stream");
    request.setTransferTimeout(0);
    return new RemoteLogStream(m_nam, request, m_timeoutMs);
}

void RemoteBackend::health(QObject *context, Callback<Health> done) {
    call(context, "GET", QStringLiteral("/healthz"), {}, {}, std::move(done), remotejson::health);
}

namespace {

// The filters every history query shares, as the daemon's query parameters.
QUrlQuery historyFilters(const QString &container, const QString &service,
                         const std::optional<qint64> &sinceMs, int limit) {
    QUrlQuery q;
    if (!container.isEmpty())
        q.addQueryItem(QStringLiteral("container"), container);
    if (!service.isEmpty())
        q.addQueryItem(QStringLiteral("service"), service);
    if (sinceMs)
        q.addQueryItem(QStringLiteral("since"), isoTime(*sinceMs));
    q.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    return q;
}

} // namespace

void RemoteBackend::history(QObject *context, const HistoryQuery &query,
                            Callback<QList<HistoryEvent>> done) {
    QUrlQuery q = historyFilters(query.container, query.service, query.sinceMs, query.limit);
    if (query.untilMs)
        q.addQueryItem(QStringLiteral("until"), isoTime(*query.untilMs));
    call(context, "GET", QStringLiteral("/history"), q, {}, std::move(done), remotejson::history);
}

void RemoteBackend::audit(QObject *context, const AuditQuery &query,
                          Callback<QList<AuditEntry>> done) {
    call(context, "GET", QStringLiteral("/audit"),
         historyFilters(query.container, query.service, query.sinceMs, query.limit), {},
         std::move(done), remotejson::audit);
}

} // namespace sm

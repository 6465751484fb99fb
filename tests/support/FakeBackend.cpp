#include "FakeBackend.h"

#include <QTimer>

#include <algorithm>

using namespace sm;

// The entries of `calls`, one per method: "containers", "services c", "statuses c",
// "status c s", "control c s action", "logs c s tail stripAnsi cursor" (cursor -1 when none),
// "run c s", "setrun c s content", "clearlogs c s", "deaths c s", "follow c s tail",
// "docker-list all", "docker-status name", "docker-control name action timeout",
// "docker-logs name tail", "docker-follow name tail", "health", "history c s limit",
// "audit c s limit" (booleans as 0 or 1).

namespace {

QString key(const QString &container, const QString &service) {
    return container + '/' + service;
}

QString logPath(const QString &service) {
    return "/var/log/" + service + "/current";
}

} // namespace

template <typename T>
void FakeBackend::answer(QObject *context, const QString &call, Callback<T> done,
                         std::type_identity_t<Result<T>> result, const Due &due) {
    calls.append(call);
    Result<T> sent = failWith ? Result<T>(*failWith) : std::move(result);
    schedule(
        context, [done = std::move(done), sent = std::move(sent)] { done(sent); }, due);
}

void FakeBackend::schedule(QObject *context, std::function<void()> deliver, const Due &due) {
    maxInFlight = std::max(maxInFlight, ++inFlight);
    if (!due.poll.isEmpty())
        maxPollsInFlight[due.poll] =
            std::max(maxPollsInFlight.value(due.poll), ++pollsInFlight[due.poll]);
    if (neverAnswer || due.hang)
        return; // stays due: the caller has to give up on it
    // The contract: an answer is dropped only if its context is gone.
    auto run = [this, guard = QPointer<QObject>(context), hadContext = context != nullptr,
                poll = due.poll, deliver = std::move(deliver)] {
        --inFlight;
        if (!poll.isEmpty())
            --pollsInFlight[poll];
        if (guard || !hadContext)
            deliver();
    };
    if (delayMs < 0) {
        heldAnswers.append(run);
        pendingAnswer = std::move(run);
    } else
        QTimer::singleShot(delayMs + due.extraDelayMs, this, std::move(run));
}

void FakeBackend::statusesJson(QObject *context, const QString &container,
                               Callback<StatusJson> done) {
    Backend::statusesJson(context, container, [this, done = std::move(done)](auto answer) {
        if (answer.ok() && statusesAsOfNs)
            answer.value().asOfNs = statusesAsOfNs();
        done(std::move(answer));
    });
}

void FakeBackend::containers(QObject *context, Callback<QList<ContainerInfo>> done) {
    answer(context, "containers", std::move(done), containerList);
}

void FakeBackend::services(QObject *context, const QString &container,
                           Callback<QList<ServiceInfo>> done) {
    answer(context, "services " + container, std::move(done), agents.value(container).services);
}

void FakeBackend::statuses(QObject *context, const QString &container,
                           Callback<QList<ServiceStatus>> done) {
    ++statusesCalls;
    ++polls[container];
    const Agent agent = agents.value(container);
    answer(context, "statuses " + container, std::move(done),
           agent.error ? Result<QList<ServiceStatus>>(*agent.error)
                       : Result<QList<ServiceStatus>>(agent.statuses),
           Due{container, agent.delayMs, agent.hang});
}

void FakeBackend::status(QObject *context, const QString &container, const QString &service,
                         Callback<ServiceStatus> done) {
    ServiceStatus found;
    found.container = container;
    found.service = service;
    found.name = service;
    for (const ServiceStatus &listed : agents.value(container).statuses)
        if (listed.service == service)
            found = listed;
    answer(context, "status " + container + ' ' + service, std::move(done), found);
}

void FakeBackend::control(QObject *context, const QString &container, const QString &service,
                          const QString &action, Callback<ControlResult> done) {
    controlCalls.append(key(container, service) + ':' + action);
    answer(context, "control " + container + ' ' + service + ' ' + action, std::move(done),
           controlError ? Result<ControlResult>(*controlError)
                        : Result<ControlResult>(ControlResult{container, service, action}));
}

void FakeBackend::logs(QObject *context, const QString &container, const QString &service,
                       const LogQuery &query, Callback<LogChunk> done) {
    const QString text = logText.value(key(container, service));
    const QByteArray bytes = text.toUtf8();
    LogChunk chunk{container, service, text, query.tail, std::nullopt, logPath(service)};
    if (cursorSupported && query.cursor) {
        const QByteArray part = bytes.mid(*query.cursor, maxAnswerBytes);
        chunk.logs = QString::fromUtf8(part);
        chunk.tail.reset();
        chunk.cursor = *query.cursor + part.size();
    } else {
        const QStringList lines = text.split('\n');
        if (lines.size() > query.tail + 1) // the text ends with '\n'
            chunk.logs = lines.mid(lines.size() - query.tail - 1).join('\n');
        if (cursorSupported)
            chunk.cursor = bytes.size();
    }
    answer(context,
           QStringLiteral("logs %1 %2 %3 %4 %5")
               .arg(container, service)
               .arg(query.tail)
               .arg(query.stripAnsi)
               .arg(query.cursor.value_or(-1)),
           std::move(done), chunk);
}

void FakeBackend::clearLogs(QObject *context, const QString &container, const QString &service,
                            Callback<LogsCleared> done) {
    clearLogCalls.append(key(container, service));
    answer(context, "clearlogs " + container + ' ' + service, std::move(done),
           LogsCleared{container, service, "Logs cleared successfully", logPath(service)});
}

void FakeBackend::deaths(QObject *context, const QString &container, const QString &service,
                         Callback<ServiceDeaths> done) {
    answer(context, "deaths " + container + ' ' + service, std::move(done),
           deathsError ? Result<ServiceDeaths>(*deathsError)
                       : Result<ServiceDeaths>(ServiceDeaths{
                             container, service, deathLists.value(key(container, service))}));
}

void FakeBackend::runScript(QObject *context, const QString &container, const QString &service,
                            Callback<RunScript> done) {
    answer(context, "run " + container + ' ' + service, std::move(done),
           RunScript{container, service, "/etc/s6/" + service + "/run", "#!/bin/sh\n"});
}

void FakeBackend::setRunScript(QObject *context, const QString &container, const QString &service,
                               const QString &content, Callback<RunScript> done) {
    answer(context, "setrun " + container + ' ' + service + ' ' + content, std::move(done),
           RunScript{container, service, "/etc/s6/" + service + "/run", content});
}

LogStream *FakeBackend::followLogs(const QString &container, const QString &service, int tail) {
    calls.append(QStringLiteral("follow %1 %2 %3").arg(container, service).arg(tail));
    return newStream();
}

void FakeBackend::dockerContainers(QObject *context, bool all,
                                   Callback<QList<DockerContainer>> done) {
    answer(context, QStringLiteral("docker-list %1").arg(all), std::move(done), dockerList);
}

void FakeBackend::dockerStatus(QObject *context, const QString &name, Callback<DockerStatus> done) {
    DockerStatus bare;
    bare.name = name;
    answer(context, "docker-status " + name, std::move(done), dockerDetails.value(name, bare));
}

void FakeBackend::dockerControl(QObject *context, const QString &name, const QString &action,
                                int timeoutSeconds, Callback<DockerControlResult> done) {
    controlCalls.append("docker/" + name + ':' + action);
    answer(context, QStringLiteral("docker-control %1 %2 %3").arg(name, action).arg(timeoutSeconds),
           std::move(done),
           controlError ? Result<DockerControlResult>(*controlError)
                        : Result<DockerControlResult>(DockerControlResult{name, action}));
}

void FakeBackend::dockerLogs(QObject *context, const QString &name, int tail,
                             Callback<DockerLogs> done) {
    answer(context, QStringLiteral("docker-logs %1 %2").arg(name).arg(tail), std::move(done),
           DockerLogs{name, logText.value("docker/" + name), tail});
}

LogStream *FakeBackend::followDockerLogs(const QString &name, int tail) {
    calls.append(QStringLiteral("docker-follow %1 %2").arg(name).arg(tail));
    return newStream();
}

void FakeBackend::health(QObject *context, Callback<Health> done) {
    answer(context, "health", std::move(done), healthValue);
}

namespace {

// The newest `limit` of `all` for this container and service, as the store selects them.
template <typename T>
QList<T> selected(const QList<T> &all, const QString &container, const QString &service,
                  int limit) {
    QList<T> out;
    for (const T &item : all)
        if ((container.isEmpty() || item.container == container) &&
            (service.isEmpty() || item.service == service) && out.size() < limit)
            out.append(item);
    return out;
}

} // namespace

void FakeBackend::history(QObject *context, const HistoryQuery &query,
                          Callback<QList<HistoryEvent>> done) {
    answer(context,
           QStringLiteral("history %1 %2 %3").arg(query.container, query.service).arg(query.limit),
           std::move(done),
           historyError ? Result<QList<HistoryEvent>>(*historyError)
                        : Result<QList<HistoryEvent>>(
                              selected(historyEvents, query.container, query.service, query.limit)),
           Due{{}, historyDelayMs.value(key(query.container, query.service))});
}

void FakeBackend::audit(QObject *context, const AuditQuery &query,
                        Callback<QList<AuditEntry>> done) {
    answer(context,
           QStringLiteral("audit %1 %2 %3").arg(query.container, query.service).arg(query.limit),
           std::move(done),
           auditError ? Result<QList<AuditEntry>>(*auditError)
                      : Result<QList<AuditEntry>>(
                            selected(auditEntries, query.container, query.service, query.limit)),
           Due{{}, historyDelayMs.value(key(query.container, query.service))});
}

LogStream *FakeBackend::newStream() {
    if (!canFollow)
        return nullptr;
    LogStream *stream = followError ? failedStream(*followError) : new LogStream;
    streams.append(stream);
    return stream;
}

ServiceStatus makeStatus(const QString &container, const QString &id, bool up, qint64 pid,
                         bool wantUp) {
    ServiceStatus s;
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

sm::ServiceFeed *FakeBackend::watchServices(const QString &container) {
    if (!pushes || pollOnly.contains(container))
        return nullptr;
    auto *feed = new sm::ServiceFeed;
    feed->setObjectName(container); // which agent it stands for
    feeds.append(feed);
    return feed;
}

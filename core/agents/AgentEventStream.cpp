#include "AgentEventStream.h"

#include "AgentClient.h"
#include "model/ModelJson.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace sm {

namespace {

// An error answer's body is its envelope; more than this is not kept.
constexpr qsizetype kMaxErrorBody = 64 * 1024;

} // namespace

AgentEventStream::AgentEventStream(QString container, HttpStream *upstream, int timeoutMs,
                                   int idleMs, std::function<void(ServiceStatus &)> complete,
                                   QObject *parent)
    : ServiceFeed(parent)
    , m_container(std::move(container))
    , m_timeoutMs(timeoutMs)
    , m_complete(std::move(complete))
    , m_upstream(upstream) {
    // Owning the upstream means deleting this stream closes the agent connection.
    upstream->setParent(this);
    m_idle.setSingleShot(true);
    m_idle.setInterval(idleMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        end(ApiError::timeout(
            QStringLiteral("Agent for container '%1' sent nothing on its event stream for %2 s")
                .arg(m_container)
                .arg(m_idle.interval() / 1000.0)));
    });
    connect(upstream, &HttpStream::headersReceived, this, [this](int status, const auto &) {
        m_status = status;
        if (status != 200)
            return;
        m_idle.start();
        Q_EMIT opened();
    });
    connect(upstream, &HttpStream::data, this, &AgentEventStream::onData);
    connect(upstream, &HttpStream::finished, this, &AgentEventStream::onFinished);
}

AgentEventStream::~AgentEventStream() = default;

void AgentEventStream::onData(const QByteArray &bytes) {
    if (m_done)
        return;
    if (m_idle.isActive())
        m_idle.start(); // a heartbeat (`: ping`) counts: the agent is alive
    if (m_status != 200) {
        m_errorBody += bytes.left(kMaxErrorBody - m_errorBody.size());
        return;
    }
    // A receiver may delete this stream from a slot: stop at once if so.
    const QPointer<AgentEventStream> alive(this);
    for (const SseEvent &event : m_parser.feed(bytes)) {
        if (!dispatch(event))
            return end(ApiError::badGateway(
                QStringLiteral("Agent for container '%1' sent an invalid '%2' event")
                    .arg(m_container, event.event)));
        if (!alive || m_done)
            return;
    }
}

bool AgentEventStream::dispatch(const SseEvent &event) {
    if (event.event != u"service" && event.event != u"service_removed")
        return true; // service_added and events of later agents: the `service` event follows
    const QJsonObject object = QJsonDocument::fromJson(event.data.toUtf8()).object();
    if (event.event == u"service_removed") {
        const QString name = object.value(QLatin1String("name")).toString();
        if (name.isEmpty())
            return false;
        Q_EMIT removed(name);
        return true;
    }
    Result<ServiceStatus> status = serviceStatusFromAgent(object);
    if (!status.ok())
        return false;
    status.value().container = m_container;
    status.value().service = status.value().name;
    if (m_complete)
        m_complete(status.value());
    Q_EMIT changed(status.value());
    return true;
}

void AgentEventStream::onFinished(const std::optional<HttpError> &error) {
    if (error)
        return end(
            AgentClient::mapError(m_container, HttpResult{std::nullopt, *error}, m_timeoutMs));
    if (m_status != 200)
        return end(AgentClient::mapStatus(m_container, m_status, m_errorBody));
    // An agent does not end its event stream while it runs: it is going away.
    end(ApiError::unavailable(
        QStringLiteral("Agent for container '%1' closed its event stream").arg(m_container)));
}

void AgentEventStream::end(const ApiError &error) {
    if (m_done)
        return;
    m_done = true;
    m_idle.stop();
    if (m_upstream)
        m_upstream->disconnect(this);
    Q_EMIT finished(error);
}

} // namespace sm

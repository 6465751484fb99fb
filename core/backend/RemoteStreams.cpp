#include "backend/RemoteStreams.h"

#include "backend/RemoteHttp.h"
#include "model/Events.h"
#include "model/ModelJson.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace sm {

namespace {
constexpr qsizetype kMaxPlainBody = 4 * 1024 * 1024;
constexpr int kMaxBackoffMs = 30000;

void abortAndDelete(QPointer<QNetworkReply> &reply) {
    if (!reply)
        return;
    reply->disconnect();
    reply->abort();
    reply->deleteLater();
    reply = nullptr;
}
} // namespace

RemoteLogStream::RemoteLogStream(QNetworkAccessManager *nam, const QNetworkRequest &request,
                                 int headerTimeoutMs, QObject *parent)
    : LogStream(parent) {
    m_reply = nam->get(request);
    m_headerTimer.setSingleShot(true);
    connect(&m_headerTimer, &QTimer::timeout, this, [this] {
        if (m_reply)
            m_reply->abort(); // reported as a timeout (504) by onFinished
    });
    connect(m_reply, &QNetworkReply::metaDataChanged, &m_headerTimer, &QTimer::stop);
    if (headerTimeoutMs > 0)
        m_headerTimer.start(headerTimeoutMs);
    connect(m_reply, &QNetworkReply::readyRead, this, &RemoteLogStream::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &RemoteLogStream::onFinished);
}

RemoteLogStream::~RemoteLogStream() {
    abortAndDelete(m_reply);
}

bool RemoteLogStream::isEventStream() const {
    return m_reply && m_reply->header(QNetworkRequest::ContentTypeHeader)
                          .toString()
                          .startsWith(QLatin1String("text/event-stream"));
}

void RemoteLogStream::onReadyRead() {
    if (!m_reply->isOpen())
        return;
    const QByteArray bytes = m_reply->readAll();
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200 && isEventStream()) {
        for (const SseEvent &event : m_parser.feed(bytes)) {
            const auto piece = parseLogEvent(event.event, event.data.toUtf8());
            if (!piece)
                continue;
            if (const auto *text = std::get_if<QString>(&*piece))
                Q_EMIT line(*text);
            else
                m_sourceError = std::get<ApiError>(*piece);
        }
        return;
    }
    if (m_plainBody.size() + bytes.size() <= kMaxPlainBody)
        m_plainBody.append(bytes);
}

void RemoteLogStream::onFinished() {
    if (m_done)
        return;
    m_done = true;
    onReadyRead();
    const bool sse = isEventStream();
    const QPointer<QNetworkReply> reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    ApiError end = ApiError::none();
    if (reply->error() != QNetworkReply::NoError) {
        end = remoteReplyError(reply, m_plainBody);
    } else if (m_sourceError) {
        end = *m_sourceError;
    } else if (!sse && !m_plainBody.isEmpty()) {
        // An older daemon ignores follow=true and returns one JSON answer.
        const QJsonObject body = QJsonDocument::fromJson(m_plainBody).object();
        QString text = body.value(QLatin1String("logs")).toString();
        if (text.endsWith(QLatin1Char('\n')))
            text.chop(1);
        if (!text.isEmpty())
            for (const QString &l : text.split(QLatin1Char('\n')))
                Q_EMIT line(l);
        end = ApiError::notImplemented(QStringLiteral("The daemon does not stream logs live"));
    }
    Q_EMIT finished(end);
}

RemoteEventStream::RemoteEventStream(QNetworkAccessManager *nam, QNetworkRequest request,
                                     std::function<void(const Event &event)> onEvent,
                                     QObject *parent)
    : QObject(parent)
    , m_nam(nam)
    , m_request(std::move(request))
    , m_onEvent(std::move(onEvent)) {
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &RemoteEventStream::connectNow);
}

RemoteEventStream::~RemoteEventStream() {
    abortAndDelete(m_reply);
}

void RemoteEventStream::start() {
    if (m_reply)
        return;
    m_retry.stop();
    connectNow();
}

void RemoteEventStream::connectNow() {
    m_parser.reset();
    // Back after a break: the daemon sends what was missed, or the current state when it no
    // longer has it.
    QNetworkRequest request = m_request;
    if (!m_parser.lastEventId().isEmpty())
        request.setRawHeader("Last-Event-ID", m_parser.lastEventId());
    m_reply = m_nam->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &RemoteEventStream::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &RemoteEventStream::onFinished);
}

void RemoteEventStream::onReadyRead() {
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const bool sse = m_reply->header(QNetworkRequest::ContentTypeHeader)
                         .toString()
                         .startsWith(QLatin1String("text/event-stream"));
    const QByteArray bytes = m_reply->isOpen() ? m_reply->readAll() : QByteArray();
    if (status != 200 || !sse)
        return;
    setStreaming(true);
    m_backoffMs = 1000;
    for (const SseEvent &event : m_parser.feed(bytes))
        dispatch(event);
}

void RemoteEventStream::onFinished() {
    m_reply->deleteLater();
    m_reply = nullptr;
    setStreaming(false);
    m_retry.start(m_backoffMs);
    m_backoffMs = qMin(m_backoffMs * 2, kMaxBackoffMs);
}

void RemoteEventStream::dispatch(const SseEvent &sse) {
    if (const std::optional<Event> event = parseEvent(sse.event, sse.data.toUtf8()))
        m_onEvent(*event);
}

void RemoteEventStream::setStreaming(bool streaming) {
    if (m_streaming == streaming)
        return;
    m_streaming = streaming;
    Q_EMIT streamingChanged(streaming);
}

} // namespace sm

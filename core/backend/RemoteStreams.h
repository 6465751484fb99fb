#pragma once

#include "backend/Backend.h"
#include "http/SseParser.h"
#include "model/Events.h"

#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace sm {

// A log stream over the daemon's SSE log route (event `log`, one line each). When the daemon
// does not stream (it answers plain JSON), the lines it sent are still delivered and the
// stream ends with status 501 so the caller can fall back to polling.
class RemoteLogStream final : public LogStream {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteLogStream)
public:
    // headerTimeoutMs bounds the wait for the response headers; the body may then stay quiet.
    RemoteLogStream(QNetworkAccessManager *nam, const QNetworkRequest &request, int headerTimeoutMs,
                    QObject *parent = nullptr);
    ~RemoteLogStream() override;

private:
    void onReadyRead();
    void onFinished();
    bool isEventStream() const;

    QPointer<QNetworkReply> m_reply;
    SseParser m_parser;
    QByteArray m_plainBody; // a non-SSE answer, kept (bounded) until it completes
    QTimer m_headerTimer;
    std::optional<ApiError> m_sourceError; // the daemon's `error` event: why its source ended
    bool m_done = false;
};

// Follows the daemon's GET /events and re-emits its events as the Backend's signals.
// Reconnects with exponential backoff (1 s doubling to 30 s) when the stream breaks or the
// daemon does not offer it yet, with Last-Event-ID so that nothing in between is lost.
class RemoteEventStream final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteEventStream)
public:
    // onEvent gets each event the daemon sends, in order.
    RemoteEventStream(QNetworkAccessManager *nam, QNetworkRequest request,
                      std::function<void(const Event &event)> onEvent, QObject *parent);
    ~RemoteEventStream() override;

    void start();
    // Used from the next connection on (a new token).
    void setRequest(QNetworkRequest request) { m_request = std::move(request); }
    bool isStreaming() const { return m_streaming; }

Q_SIGNALS:
    void streamingChanged(bool streaming);

private:
    void connectNow();
    void onReadyRead();
    void onFinished();
    void dispatch(const SseEvent &sse);
    void setStreaming(bool streaming);

    QNetworkAccessManager *m_nam;
    QNetworkRequest m_request;
    std::function<void(const Event &event)> m_onEvent;
    QPointer<QNetworkReply> m_reply;
    SseParser m_parser;
    QTimer m_retry;
    int m_backoffMs = 1000;
    bool m_streaming = false;
};

} // namespace sm

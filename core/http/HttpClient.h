#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <functional>
#include <optional>

namespace sm {

class HttpPool;

struct HttpRequest {
    QByteArray method = "GET";
    QByteArray target = "/"; // path and query, already percent-encoded
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;      // sent with Content-Length when non-empty or method is POST/PUT
    int timeoutMs = 5000; // deadline for the whole exchange (for streams: until the headers)
    qint64 maxBodyBytes = 64 * 1024 * 1024; // TooLarge past it (streams are not limited)
};

struct HttpResponse {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QByteArray header(const QByteArray &name) const; // case-insensitive, first match
};

struct HttpError {
    // Busy: the per-socket queue of waiting requests is full (the peer may be fine, just slow).
    enum Kind { SocketMissing, Refused, Timeout, Reset, Garbage, TooLarge, Cancelled, Busy };
    Kind kind = Garbage;
    QString message; // readable cause, e.g. "connection refused"
};

struct HttpResult {
    std::optional<HttpResponse> response;
    HttpError error; // meaningful only without a response
    bool ok() const { return response.has_value(); }
};

// A streamed response: headers first, then body bytes as they arrive (chunked framing removed).
// Deleting it closes its connection.
class HttpStream : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void headersReceived(int status, const QList<QPair<QByteArray, QByteArray>> &headers);
    void data(const QByteArray &bytes);
    // Once, at the end; error is empty for a clean end of the body.
    void finished(const std::optional<sm::HttpError> &error);
};

// HTTP/1.1 over one Unix socket path, with a bounded keep-alive connection pool. Parsing is done
// by libhttp-parser. Fully asynchronous; never blocks the event loop.
class HttpClient : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpClient)
public:
    explicit HttpClient(QString socketPath, int maxConnections = 8, QObject *parent = nullptr);
    ~HttpClient() override;

    // Calls done exactly once, later, unless context is destroyed first. Requests beyond
    // maxConnections wait in a FIFO; beyond HttpPool::maxQueued waiting ones fail at once as Busy.
    // A reused keep-alive connection that dies before any answer byte is retried once.
    void send(const HttpRequest &request, QObject *context, std::function<void(HttpResult)> done);
    // The caller owns the returned stream. Each stream has its own connection, outside the
    // pool's bound, so long follows never starve ordinary requests.
    HttpStream *stream(const HttpRequest &request);

    QString socketPath() const;
    void setSocketPath(const QString &path);
    int openConnections() const; // idle + busy, for tests and bounds

private:
    HttpPool *const d; // deleting it cancels whatever is still pending
};

} // namespace sm

#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>
#include <utility>

struct http_parser;

namespace sm {

// Incremental HTTP/1.1 response parser over libhttp-parser: bytes in (split anywhere), status,
// headers and de-chunked body out. No sockets, so it is unit-tested and fuzzed on its own.
class ResponseParser final {
public:
    enum class Outcome { NeedMore, Complete, Error };

    // maxBodyBytes < 0: unlimited (streams, which take the body as it comes).
    explicit ResponseParser(qint64 maxBodyBytes = -1, bool headRequest = false);
    ~ResponseParser();
    ResponseParser(const ResponseParser &) = delete;
    ResponseParser &operator=(const ResponseParser &) = delete;

    // Parses more bytes. After Complete, any bytes past the response's end are left unread
    // and counted in trailingBytes() (a peer that sends them cannot be reused).
    Outcome feed(const char *data, qsizetype size);
    Outcome feed(const QByteArray &bytes) { return feed(bytes.constData(), bytes.size()); }
    // The peer closed the connection: completes a body delimited by the close, else an error.
    Outcome finish();

    bool anyBytes() const { return m_anyBytes; }
    bool headersComplete() const { return m_headersComplete; }
    bool complete() const { return m_complete; }
    bool tooLarge() const { return m_tooLarge; }
    QString errorString() const { return m_error; }
    // Whether the connection may carry another request (valid once complete).
    bool keepAlive() const { return m_keepAlive; }
    qsizetype trailingBytes() const { return m_trailing; }

    int status() const { return m_status; }
    const QList<QPair<QByteArray, QByteArray>> &headers() const { return m_headers; }
    // The body received so far; takeBody() hands it over (streams) and clears it.
    const QByteArray &body() const { return m_body; }
    QByteArray takeBody() { return std::exchange(m_body, {}); }

    static constexpr qsizetype maxHeaderBytes = 64 * 1024;

private:
    struct Callbacks;
    Outcome fail(const QString &message);
    bool addHeaderBytes(size_t len);

    std::unique_ptr<http_parser> m_parser;
    qint64 m_maxBody;
    qint64 m_bodyTotal = 0;
    qsizetype m_headerBytes = 0;
    bool m_lastWasValue = false;
    bool m_anyBytes = false;
    bool m_headersComplete = false;
    bool m_complete = false;
    bool m_tooLarge = false;
    bool m_keepAlive = false;
    bool m_failed = false;
    bool m_head = false;
    qsizetype m_trailing = 0;
    int m_status = 0;
    QString m_error;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
};

} // namespace sm

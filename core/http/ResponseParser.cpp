#include "ResponseParser.h"

#include <http_parser.h>

namespace sm {

struct ResponseParser::Callbacks {
    static ResponseParser *self(http_parser *p) { return static_cast<ResponseParser *>(p->data); }

    static int onHeaderField(http_parser *p, const char *at, size_t len) {
        ResponseParser *s = self(p);
        if (!s->addHeaderBytes(len))
            return -1;
        if (s->m_lastWasValue || s->m_headers.isEmpty())
            s->m_headers.append(QPair<QByteArray, QByteArray>());
        s->m_headers.last().first.append(at, qsizetype(len));
        s->m_lastWasValue = false;
        return 0;
    }
    static int onHeaderValue(http_parser *p, const char *at, size_t len) {
        ResponseParser *s = self(p);
        if (!s->addHeaderBytes(len))
            return -1;
        if (s->m_headers.isEmpty())
            s->m_headers.append(QPair<QByteArray, QByteArray>());
        s->m_headers.last().second.append(at, qsizetype(len));
        s->m_lastWasValue = true;
        return 0;
    }
    static int onHeadersComplete(http_parser *p) {
        ResponseParser *s = self(p);
        // Interim 1xx answers carry no body and precede the real one.
        if (p->status_code >= 100 && p->status_code < 200 && p->status_code != 101) {
            s->m_headers.clear();
            s->m_lastWasValue = false;
            return 0;
        }
        s->m_status = int(p->status_code);
        s->m_headersComplete = true;
        if (s->m_maxBody >= 0 && (p->flags & F_CHUNKED) == 0 && p->content_length != ULLONG_MAX &&
            p->content_length > quint64(s->m_maxBody)) {
            s->m_tooLarge = true;
            return -1;
        }
        // 1 tells libhttp-parser that no body follows (a HEAD answer).
        return s->m_head ? 1 : 0;
    }
    static int onBody(http_parser *p, const char *at, size_t len) {
        ResponseParser *s = self(p);
        s->m_bodyTotal += qint64(len);
        if (s->m_maxBody >= 0 && s->m_bodyTotal > s->m_maxBody) {
            s->m_tooLarge = true;
            return -1;
        }
        s->m_body.append(at, qsizetype(len));
        return 0;
    }
    static int onMessageComplete(http_parser *p) {
        ResponseParser *s = self(p);
        if (!s->m_headersComplete)
            return 0; // the end of an interim 1xx answer
        s->m_complete = true;
        s->m_keepAlive = http_should_keep_alive(p) != 0;
        // Stop here: bytes after the response belong to no request of ours.
        http_parser_pause(p, 1);
        return 0;
    }

    static const http_parser_settings &settings() {
        static const http_parser_settings s = [] {
            http_parser_settings v;
            http_parser_settings_init(&v);
            v.on_header_field = onHeaderField;
            v.on_header_value = onHeaderValue;
            v.on_headers_complete = onHeadersComplete;
            v.on_body = onBody;
            v.on_message_complete = onMessageComplete;
            return v;
        }();
        return s;
    }
};

ResponseParser::ResponseParser(qint64 maxBodyBytes, bool headRequest)
    : m_parser(std::make_unique<http_parser>())
    , m_maxBody(maxBodyBytes)
    , m_head(headRequest) {
    http_parser_init(m_parser.get(), HTTP_RESPONSE);
    m_parser->data = this;
}

ResponseParser::~ResponseParser() = default;

bool ResponseParser::addHeaderBytes(size_t len) {
    m_headerBytes += qsizetype(len);
    return m_headerBytes <= maxHeaderBytes;
}

ResponseParser::Outcome ResponseParser::fail(const QString &message) {
    m_failed = true;
    m_error = message;
    return Outcome::Error;
}

ResponseParser::Outcome ResponseParser::feed(const char *data, qsizetype size) {
    if (m_failed)
        return Outcome::Error;
    if (size <= 0)
        return m_complete ? Outcome::Complete : Outcome::NeedMore;
    m_anyBytes = true;
    if (m_complete) {
        m_trailing += size;
        return Outcome::Complete;
    }
    const size_t used =
        http_parser_execute(m_parser.get(), &Callbacks::settings(), data, size_t(size));
    const auto err = HTTP_PARSER_ERRNO(m_parser.get());
    if (m_complete) {
        m_trailing += size - qsizetype(used);
        return Outcome::Complete;
    }
    if (m_tooLarge)
        return fail(QStringLiteral("response larger than %1 bytes").arg(m_maxBody));
    if (m_headerBytes > maxHeaderBytes)
        return fail(QStringLiteral("response headers larger than %1 bytes").arg(maxHeaderBytes));
    if (err != HPE_OK)
        return fail(QStringLiteral("invalid HTTP response: %1")
                        .arg(QLatin1String(http_errno_description(err))));
    return Outcome::NeedMore;
}

ResponseParser::Outcome ResponseParser::finish() {
    if (m_failed)
        return Outcome::Error;
    if (m_complete)
        return Outcome::Complete;
    if (!m_anyBytes)
        return fail(QStringLiteral("connection closed before a response"));
    http_parser_execute(m_parser.get(), &Callbacks::settings(), nullptr, 0);
    if (m_complete) {
        m_keepAlive = false;
        return Outcome::Complete;
    }
    return fail(QStringLiteral("connection closed mid-response"));
}

} // namespace sm

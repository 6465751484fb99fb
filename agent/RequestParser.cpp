#include "RequestParser.h"

#include <algorithm>
#include <cctype>
#include <climits>

namespace agent {

namespace {

RequestParser *self(http_parser *p) {
    return static_cast<RequestParser *>(p->data);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

} // namespace

const std::string *Request::header(const std::string &lowerName) const {
    for (const auto &[name, value] : headers)
        if (name == lowerName)
            return &value;
    return nullptr;
}

RequestParser::RequestParser() {
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_message_begin = &RequestParser::onMessageBegin;
    m_settings.on_url = &RequestParser::onUrl;
    m_settings.on_header_field = &RequestParser::onHeaderField;
    m_settings.on_header_value = &RequestParser::onHeaderValue;
    m_settings.on_headers_complete = &RequestParser::onHeadersComplete;
    m_settings.on_body = &RequestParser::onBody;
    m_settings.on_message_complete = &RequestParser::onMessageComplete;
}

Request RequestParser::takeRequest() {
    Request r = std::move(m_ready.front());
    m_ready.pop_front();
    m_queuedBodyBytes -= r.body.size();
    return r;
}

void RequestParser::fail(int status, const char *text) {
    if (m_errorStatus == 0) {
        m_errorStatus = status;
        m_errorText = text;
    }
}

size_t RequestParser::feed(const char *data, size_t length, size_t maxQueued) {
    size_t consumed = 0;
    // Callbacks pause the parser at the end of the headers and at the end of
    // each message, so header bytes are counted exactly and one read holding
    // many pipelined requests stops once enough of them are queued.
    // Queued bodies are bounded too: pipelined uploads wait in the socket.
    while (consumed < length && !failed() && m_ready.size() < maxQueued &&
           m_queuedBodyBytes <= kMaxBodyBytes) {
        const bool wasInHeaders = m_inHeaders;
        const size_t n =
            http_parser_execute(&m_parser, &m_settings, data + consumed, length - consumed);
        consumed += n;
        if (wasInHeaders) {
            // Paused at the end of the headers, the parser has not consumed
            // their final LF yet: count it here, where it belongs.
            m_headerBytes += n + (m_inHeaders ? 0 : 1);
            if (m_headerBytes > kMaxHeaderBytes) {
                fail(431, "The request line and headers exceed 16 KiB.");
                break;
            }
        }
        const auto err = HTTP_PARSER_ERRNO(&m_parser);
        if (err == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0);
            continue;
        }
        if (err == HPE_HEADER_OVERFLOW) {
            fail(431, "The request line and headers exceed 16 KiB.");
        } else if (err != HPE_OK) {
            fail(400, "Malformed HTTP request.");
        } else if (m_parser.upgrade) {
            fail(400, "Protocol upgrades are not supported.");
        } else if (n == 0) {
            break; // nothing more can be parsed from this input
        }
    }
    return consumed;
}

int RequestParser::onMessageBegin(http_parser *p) {
    RequestParser *s = self(p);
    s->m_current = Request();
    s->m_inMessage = true;
    s->m_lastWasValue = false;
    return 0;
}

int RequestParser::onUrl(http_parser *p, const char *at, size_t length) {
    self(p)->m_current.url.append(at, length);
    return 0;
}

int RequestParser::onHeaderField(http_parser *p, const char *at, size_t length) {
    RequestParser *s = self(p);
    auto &headers = s->m_current.headers;
    if (headers.empty() || s->m_lastWasValue)
        headers.emplace_back();
    headers.back().first.append(at, length);
    s->m_lastWasValue = false;
    return 0;
}

int RequestParser::onHeaderValue(http_parser *p, const char *at, size_t length) {
    RequestParser *s = self(p);
    if (s->m_current.headers.empty())
        return 1;
    s->m_current.headers.back().second.append(at, length);
    s->m_lastWasValue = true;
    return 0;
}

int RequestParser::onHeadersComplete(http_parser *p) {
    RequestParser *s = self(p);
    Request &r = s->m_current;
    for (auto &header : r.headers)
        header.first = lower(std::move(header.first));
    r.method = http_method_str(static_cast<http_method>(p->method));
    r.httpMajor = p->http_major;
    r.httpMinor = p->http_minor;
    r.keepAlive = http_should_keep_alive(p) != 0;
    s->m_inHeaders = false;
    const bool chunked = (p->flags & F_CHUNKED) != 0;
    if (!chunked && p->content_length != ULLONG_MAX && p->content_length > kMaxBodyBytes) {
        s->fail(413, "The request body exceeds 1 MiB.");
        return -1;
    }
    const std::string *expect = r.header("expect");
    const bool hasBody = chunked || (p->content_length != ULLONG_MAX && p->content_length > 0);
    s->m_wantsContinue = expect && lower(*expect) == "100-continue" && hasBody;
    http_parser_pause(p, 1);
    return 0;
}

int RequestParser::onBody(http_parser *p, const char *at, size_t length) {
    RequestParser *s = self(p);
    if (s->m_current.body.size() + length > kMaxBodyBytes) {
        s->fail(413, "The request body exceeds 1 MiB.");
        return 1;
    }
    s->m_current.body.append(at, length);
    return 0;
}

int RequestParser::onMessageComplete(http_parser *p) {
    RequestParser *s = self(p);
    s->m_queuedBodyBytes += s->m_current.body.size();
    s->m_ready.push_back(std::move(s->m_current));
    s->m_current = Request();
    s->m_inMessage = false;
    s->m_inHeaders = true;
    s->m_headerBytes = 0;
    s->m_wantsContinue = false;
    http_parser_pause(p, 1);
    return 0;
}

} // namespace agent

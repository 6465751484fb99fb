#pragma once

#include <http_parser.h>

#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace agent {

struct Request {
    std::string method;                                       // "GET", "POST", ...
    std::string url;                                          // the request target as sent
    std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
    std::string body;
    bool keepAlive = true;
    unsigned httpMajor = 1;
    unsigned httpMinor = 1;

    const std::string *header(const std::string &lowerName) const;
};

// Incremental HTTP/1.x request parser on top of libhttp-parser, with the
// agent's limits. Bytes may arrive in any split; the result is the same.
// After an error the parser stops; the caller answers errorStatus() and closes.
class RequestParser final {
public:
    static constexpr size_t kMaxHeaderBytes = 16 * 1024; // request line + headers
    static constexpr size_t kMaxBodyBytes = 1024 * 1024;

    RequestParser();
    RequestParser(const RequestParser &) = delete;
    RequestParser &operator=(const RequestParser &) = delete;

    // Parses from `data`, stopping early once `maxQueued` requests, or more
    // than kMaxBodyBytes of bodies, wait in the queue (back-pressure for
    // pipelining). Returns the bytes consumed.
    size_t feed(const char *data, size_t length, size_t maxQueued = 64);

    bool hasRequest() const { return !m_ready.empty(); }
    size_t queued() const { return m_ready.size(); }
    Request takeRequest();

    bool failed() const { return m_errorStatus != 0; }
    int errorStatus() const { return m_errorStatus; } // 400, 413 or 431
    const std::string &errorText() const { return m_errorText; }

    // True once the headers of a request with `Expect: 100-continue` are in
    // and its body is still to come; cleared by continueSent().
    bool wantsContinue() const { return m_wantsContinue; }
    void continueSent() { m_wantsContinue = false; }

    // True while part of a request has arrived but not all of it.
    bool midRequest() const { return m_inMessage; }

private:
    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t length);
    static int onHeaderField(http_parser *p, const char *at, size_t length);
    static int onHeaderValue(http_parser *p, const char *at, size_t length);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t length);
    static int onMessageComplete(http_parser *p);

    void fail(int status, const char *text);

    http_parser m_parser{};
    http_parser_settings m_settings{};
    Request m_current;
    std::deque<Request> m_ready;
    bool m_inMessage = false;
    bool m_inHeaders = true; // counting bytes toward kMaxHeaderBytes
    bool m_lastWasValue = false;
    bool m_wantsContinue = false;
    size_t m_headerBytes = 0;
    size_t m_queuedBodyBytes = 0;
    int m_errorStatus = 0;
    std::string m_errorText;
};

} // namespace agent

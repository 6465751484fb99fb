#include "Http.h"

#include "Json.h"

#include <http_parser.h>

namespace agent {

namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percentDecode(std::string_view in, bool plusIsSpace) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%') {
            if (i + 2 >= in.size())
                return std::nullopt;
            const int hi = hexValue(in[i + 1]);
            const int lo = hexValue(in[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (plusIsSpace && in[i] == '+') {
            out += ' ';
        } else {
            out += in[i];
        }
    }
    return out;
}

} // namespace

Response errorResponse(int status, std::string_view sentence) {
    std::string body = "{\"error\":";
    appendJsonString(body, sentence);
    body += ",\"detail\":null}";
    return jsonResponse(status, std::move(body));
}

Response jsonResponse(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

const char *reasonPhrase(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 422:
        return "Unprocessable Entity";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

std::string serializeResponse(const Response &response, bool keepAlive) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + ' ' +
                      reasonPhrase(response.status) + "\r\nContent-Type: " + response.contentType +
                      "\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    if (response.stream) {
        out += "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n";
    } else {
        out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    }
    out += keepAlive && !response.close ? "Connection: keep-alive\r\n\r\n"
                                        : "Connection: close\r\n\r\n";
    if (response.stream)
        out += chunk(response.body);
    else
        out += response.body;
    return out;
}

std::string chunk(std::string_view data) {
    if (data.empty())
        return {};
    static const char hex[] = "0123456789abcdef";
    std::string size;
    for (size_t n = data.size(); n; n >>= 4)
        size.insert(size.begin(), hex[n & 0xf]);
    std::string out = size + "\r\n";
    out.append(data);
    out += "\r\n";
    return out;
}

std::optional<Target> parseTarget(std::string_view url) {
    http_parser_url parts;
    http_parser_url_init(&parts);
    if (url.empty() || url[0] != '/' ||
        http_parser_parse_url(url.data(), url.size(), 0, &parts) != 0 ||
        !(parts.field_set & (1 << UF_PATH)))
        return std::nullopt;
    Target target;
    const std::string_view path =
        url.substr(parts.field_data[UF_PATH].off, parts.field_data[UF_PATH].len);
    // Split before decoding, so an encoded '/' stays inside its segment (and
    // is then rejected as part of a service name).
    size_t start = 1;
    if (path != "/") {
        for (;;) {
            const size_t slash = path.find('/', start);
            const auto decoded = percentDecode(path.substr(start, slash - start), false);
            if (!decoded)
                return std::nullopt;
            target.segments.push_back(*decoded);
            if (slash == std::string_view::npos)
                break;
            start = slash + 1;
        }
    }
    if (parts.field_set & (1 << UF_QUERY)) {
        std::string_view query =
            url.substr(parts.field_data[UF_QUERY].off, parts.field_data[UF_QUERY].len);
        while (!query.empty()) {
            const size_t amp = query.find('&');
            const std::string_view pair = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (pair.empty())
                continue;
            const size_t eq = pair.find('=');
            const auto key = percentDecode(pair.substr(0, eq), true);
            const auto value = percentDecode(
                eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
            if (!key || !value)
                return std::nullopt;
            target.query[*key] = *value;
        }
    }
    return target;
}

} // namespace agent

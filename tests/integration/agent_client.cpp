#include "agent_client.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

QJsonObject HttpReply::json() const {
    return QJsonDocument::fromJson(body).object();
}

AgentConnection::AgentConnection(const QString &socketPath) {
    const QByteArray path = QFile::encodeName(socketPath);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.constData(),
                std::min<size_t>(size_t(path.size()), sizeof(addr.sun_path) - 1));
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd >= 0 && ::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_message_begin = [](http_parser *p) {
        auto *self = static_cast<AgentConnection *>(p->data);
        self->m_current = HttpReply();
        return 0;
    };
    m_settings.on_header_field = [](http_parser *p, const char *at, size_t len) {
        auto *self = static_cast<AgentConnection *>(p->data);
        self->m_field = QByteArray(at, qsizetype(len)).toLower();
        return 0;
    };
    m_settings.on_header_value = [](http_parser *p, const char *at, size_t len) {
        auto *self = static_cast<AgentConnection *>(p->data);
        self->m_current.headers[self->m_field] += QByteArray(at, qsizetype(len));
        return 0;
    };
    m_settings.on_headers_complete = [](http_parser *p) {
        auto *self = static_cast<AgentConnection *>(p->data);
        self->m_current.status = int(p->status_code);
        self->m_current.headersDone = true;
        return 0;
    };
    m_settings.on_body = [](http_parser *p, const char *at, size_t len) {
        static_cast<AgentConnection *>(p->data)->m_current.body.append(at, qsizetype(len));
        return 0;
    };
    m_settings.on_message_complete = [](http_parser *p) {
        auto *self = static_cast<AgentConnection *>(p->data);
        self->m_current.complete = true;
        self->m_done.append(self->m_current);
        self->m_current = HttpReply();
        http_parser_pause(p, 1);
        return 0;
    };
}

AgentConnection::~AgentConnection() {
    if (m_fd >= 0)
        ::close(m_fd);
}

bool AgentConnection::send(const QByteArray &bytes) {
    qsizetype done = 0;
    while (m_fd >= 0 && done < bytes.size()) {
        const ssize_t n =
            ::send(m_fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return m_fd >= 0;
}

bool AgentConnection::sendRequest(const QByteArray &method, const QByteArray &target,
                                  const QByteArray &body, const QByteArray &extraHeaders) {
    QByteArray req = method + ' ' + target + " HTTP/1.1\r\nHost: agent\r\n" + extraHeaders;
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        req +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\n";
    req += "\r\n" + body;
    return send(req);
}

bool AgentConnection::pump(int timeoutMs) {
    if (m_fd < 0 || m_eof)
        return false;
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, std::max(0, timeoutMs)) <= 0)
        return false;
    char buffer[65536];
    const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
        m_eof = true;
        return false;
    }
    m_buffer.append(buffer, n);
    parseBuffered();
    return true;
}

void AgentConnection::parseBuffered() {
    while (!m_buffer.isEmpty()) {
        const size_t n = http_parser_execute(&m_parser, &m_settings, m_buffer.constData(),
                                             size_t(m_buffer.size()));
        m_buffer.remove(0, qsizetype(n));
        if (HTTP_PARSER_ERRNO(&m_parser) == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0);
            continue;
        }
        if (HTTP_PARSER_ERRNO(&m_parser) != HPE_OK)
            m_buffer.clear();
        break;
    }
}

std::optional<HttpReply> AgentConnection::readReply(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (m_done.isEmpty()) {
        if (!pump(int(deadline.remainingTime())))
            return std::nullopt;
    }
    return m_done.takeFirst();
}

bool AgentConnection::readUntil(const std::function<bool(const HttpReply &)> &done, int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!done(m_done.isEmpty() ? m_current : m_done.first())) {
        if (!pump(int(deadline.remainingTime())))
            return false;
    }
    return true;
}

bool AgentConnection::waitClosed(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!m_eof) {
        if (!pump(int(deadline.remainingTime())) && !m_eof)
            return false;
    }
    return true;
}

HttpReply AgentConnection::request(const QByteArray &method, const QByteArray &target,
                                   const QByteArray &body, int timeoutMs) {
    if (!sendRequest(method, target, body))
        return {};
    return readReply(timeoutMs).value_or(HttpReply());
}

HttpReply agentRequest(const QString &socketPath, const QByteArray &method,
                       const QByteArray &target, const QByteArray &body) {
    AgentConnection c(socketPath);
    return c.request(method, target, body);
}

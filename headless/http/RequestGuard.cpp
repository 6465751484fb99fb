#include "RequestGuard.h"

#include "model/ApiError.h"
#include "model/ModelJson.h"

#include <QTcpSocket>
#include <QVarLengthArray>

#include <http_parser.h>

namespace sm {

namespace {

// Follows one connection's requests with libhttp-parser, counting header and body bytes.
class ConnectionGuard final : public QObject {
public:
    ConnectionGuard(QTcpSocket *socket, const RequestLimits &limits,
                    const GuardedTcpServer::CorsHeaders &cors,
                    const GuardedTcpServer::Refused &refused)
        : QObject(socket)
        , m_socket(socket)
        , m_limits(limits)
        , m_cors(cors)
        , m_refused(refused) {
        http_parser_init(&m_parser, HTTP_REQUEST);
        m_parser.data = this;
        http_parser_settings_init(&m_settings);
        m_settings.on_message_begin = [](http_parser *p) { return self(p)->begin(); };
        m_settings.on_url = [](http_parser *p, const char *, size_t n) {
            return self(p)->headerBytes(n);
        };
        m_settings.on_header_field = [](http_parser *p, const char *at, size_t n) {
            return self(p)->field(at, n);
        };
        m_settings.on_header_value = [](http_parser *p, const char *at, size_t n) {
            return self(p)->value(at, n);
        };
        m_settings.on_headers_complete = [](http_parser *p) { return self(p)->headersDone(); };
        m_settings.on_body = [](http_parser *p, const char *, size_t n) {
            return self(p)->bodyBytes(n);
        };
        m_settings.on_message_complete = [](http_parser *p) { return self(p)->complete(); };
        setObjectName(QLatin1String(kGuardName));
        // Connected before QHttpServer sees the socket, so this runs before its reader.
        connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::inspect);
    }

    static constexpr char kGuardName[] = "sm-request-guard";

    // Taken in the order the requests complete, which is the order QHttpServer hands them on,
    // as it hands each on: it has then taken that request's bytes out of the socket, and what
    // is left there (it reads one request a pass and signals readyRead again for the rest)
    // this guard has read already.
    AfterAnswer takeAfterAnswer() {
        m_ahead = m_socket->bytesAvailable();
        if (m_taken == m_afterAnswer.size())
            return AfterAnswer::KeepOpen;
        const AfterAnswer next = m_afterAnswer[m_taken++];
        if (m_taken == m_afterAnswer.size()) {
            m_afterAnswer.clear();
            m_taken = 0;
        }
        if (next == AfterAnswer::Close) {
            // RFC 9112 9.6: nothing sent after it is read, so nothing sent after it runs.
            m_done = true;
            m_socket->readAll();
        }
        return next;
    }

private:
    static ConnectionGuard *self(http_parser *p) { return static_cast<ConnectionGuard *>(p->data); }

    int begin() {
        m_header = 0;
        m_body = 0;
        m_origin.clear();
        m_upgrade.clear();
        m_inOrigin = false;
        m_inUpgrade = false;
        return 0;
    }
    int headerBytes(size_t n) {
        m_header += qint64(n); // the target, names and values; not the separators
        if (m_header <= m_limits.maxHeaderBytes)
            return 0;
        refuse(431, QStringLiteral("The request line and headers are larger than %1 bytes")
                        .arg(m_limits.maxHeaderBytes));
        return 1;
    }
    int field(const char *at, size_t n) {
        if (!m_inValue)
            m_name.append(at, qsizetype(n));
        else {
            m_name = QByteArray(at, qsizetype(n));
            m_inValue = false;
        }
        m_inOrigin = false;
        m_inUpgrade = false;
        return headerBytes(n);
    }
    int value(const char *at, size_t n) {
        if (!m_inValue) {
            m_inValue = true;
            m_inOrigin = m_name.compare("Origin", Qt::CaseInsensitive) == 0;
            m_inUpgrade = m_name.compare("Upgrade", Qt::CaseInsensitive) == 0;
        }
        if (m_inOrigin && m_origin.size() < 1024)
            m_origin.append(at, qsizetype(n));
        if (m_inUpgrade && m_upgrade.size() < 1024)
            m_upgrade.append(at, qsizetype(n));
        return headerBytes(n);
    }
    int headersDone() {
        m_inValue = false;
        m_name.clear();
        // The declared length is refused before any of the body arrives.
        if (m_parser.content_length != ULLONG_MAX &&
            m_parser.content_length > quint64(m_limits.maxBodyBytes)) {
            refuse(413, tooLarge());
            return -1;
        }
        return 0;
    }
    int bodyBytes(size_t n) {
        m_body += qint64(n);
        if (m_body <= m_limits.maxBodyBytes)
            return 0;
        refuse(413, tooLarge()); // a chunked body that keeps growing
        return 1;
    }
    int complete() {
        const bool http10 = m_parser.http_major == 1 && m_parser.http_minor == 0;
        m_afterAnswer.append(http_should_keep_alive(&m_parser) == 0 ? AfterAnswer::Close
                             : http10                               ? AfterAnswer::KeepOpenConfirmed
                                                                    : AfterAnswer::KeepOpen);
        return 0;
    }
    QString tooLarge() const {
        return QStringLiteral("The request body is larger than %1 bytes")
            .arg(m_limits.maxBodyBytes);
    }

    void inspect() {
        if (m_done) {
            m_socket->readAll(); // refused or closing: nothing more reaches QHttpServer
            return;
        }
        const QByteArray bytes = m_socket->peek(m_socket->bytesAvailable());
        // What QHttpServer left in the socket after the last request it took was read here
        // already: only what came after it is new.
        const qsizetype skip = qMin(qsizetype(m_ahead), bytes.size());
        m_ahead = 0;
        const char *data = bytes.constData() + skip;
        size_t size = size_t(bytes.size() - skip);
        // An empty read would tell the parser the connection ended.
        while (size > 0) {
            const size_t parsed = http_parser_execute(&m_parser, &m_settings, data, size);
            if (m_done) {
                m_socket->readAll();
                return;
            }
            if (m_parser.upgrade) {
                if (m_upgrade.toLower().contains("websocket")) {
                    m_done = true; // not HTTP any more: QHttpServer hands it to its WebSockets
                    disconnect(m_socket, nullptr, this, nullptr);
                    return;
                }
                // Any other protocol (h2c, a CONNECT tunnel) is not taken up: QHttpServer
                // answers the request as HTTP/1.1 and reads the next, and so does this guard.
                http_parser_init(&m_parser, HTTP_REQUEST);
                m_parser.data = this;
                data += parsed;
                size -= parsed;
                continue;
            }
            if (HTTP_PARSER_ERRNO(&m_parser) == HPE_HEADER_OVERFLOW) {
                // libhttp-parser's own bound (80 KiB) struck within one read, before ours.
                m_socket->readAll();
                refuse(431, QStringLiteral("The request line and headers are larger than %1 bytes")
                                .arg(m_limits.maxHeaderBytes));
            } else if (parsed != size || HTTP_PARSER_ERRNO(&m_parser) != HPE_OK) {
                m_socket->readAll();
                refuse(400, QStringLiteral("The request is not valid HTTP/1.1: %1")
                                .arg(QString::fromLatin1(
                                    http_errno_description(HTTP_PARSER_ERRNO(&m_parser)))));
            }
            return;
        }
    }

    void refuse(int status, const QString &message) {
        if (m_done)
            return;
        m_done = true;
        auto headers = m_cors ? m_cors(m_origin) : QList<QPair<QByteArray, QByteArray>>{};
        headers.append(qMakePair(QByteArray("Connection"), QByteArray("close")));
        m_socket->write(GuardedTcpServer::refusal(status, message, headers));
        m_socket->disconnectFromHost(); // after the answer is written
        if (m_refused)
            m_refused(status);
    }

    QTcpSocket *m_socket;
    const RequestLimits m_limits;
    const GuardedTcpServer::CorsHeaders m_cors;
    const GuardedTcpServer::Refused m_refused;
    http_parser m_parser{};
    http_parser_settings m_settings{};
    qint64 m_header = 0;
    qint64 m_body = 0;
    QByteArray m_name;
    QByteArray m_origin;
    QByteArray m_upgrade; // the Upgrade header's value
    bool m_inValue = false;
    bool m_inOrigin = false;
    bool m_inUpgrade = false;
    bool m_done = false;
    // Rarely more than one (requests pipelined): kept inline, no allocation per connection.
    QVarLengthArray<AfterAnswer, 4> m_afterAnswer;
    qsizetype m_taken = 0; // of m_afterAnswer
    qint64 m_ahead = 0;    // bytes still in the socket that were parsed here already
};

const char *reason(int status) {
    switch (status) {
    case 400:
        return "Bad Request";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Service Unavailable";
    }
}

} // namespace

AfterAnswer takeAfterAnswer(QTcpSocket *socket) {
    auto *guard = socket->findChild<QObject *>(QLatin1String(ConnectionGuard::kGuardName),
                                               Qt::FindDirectChildrenOnly);
    return guard ? static_cast<ConnectionGuard *>(guard)->takeAfterAnswer() : AfterAnswer::KeepOpen;
}

GuardedTcpServer::GuardedTcpServer(RequestLimits limits, CorsHeaders cors, Refused refused,
                                   QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_cors(std::move(cors))
    , m_refused(std::move(refused)) {
    // Qt's default backlog of 50 drops the SYNs of a burst of clients, which then retry
    // after 1, 3, 7 s: a thousand clients connecting at once would wait seconds.
    setListenBacklogSize(1024);
}

GuardedTcpServer::~GuardedTcpServer() = default;

QByteArray GuardedTcpServer::refusal(int status, const QString &message,
                                     const QList<QPair<QByteArray, QByteArray>> &headers) {
    const QByteArray body = toJson(ApiError{status, message, QJsonValue::Null});
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    out += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\n\r\n" + body;
    return out;
}

void GuardedTcpServer::incomingConnection(qintptr descriptor) {
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_open >= m_limits.maxConnections) {
        // Answered here and never handed on: the client learns why, the daemon keeps its fds.
        auto headers = m_cors ? m_cors({}) : QList<QPair<QByteArray, QByteArray>>{};
        headers.append(qMakePair(QByteArray("Connection"), QByteArray("close")));
        socket->write(refusal(503,
                              QStringLiteral("Too many connections (at most %1); try again later")
                                  .arg(m_limits.maxConnections),
                              headers));
        socket->disconnectFromHost();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (m_refused)
            m_refused(503);
        return;
    }
    ++m_open;
    // An answer whose end leaves in a second segment (a large body, a stream's next chunk)
    // must not wait for the client's delayed ACK of the first: 40 ms on a keep-alive
    // connection (nginx's tcp_nodelay turns Nagle off on such connections for the same reason).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Counted through the guard, a child of the socket: QHttpServer disconnects every signal
    // of a socket it hands to its WebSocket server, `destroyed` included, but not the guard's.
    auto *guard = new ConnectionGuard(socket, m_limits, m_cors, m_refused);
    connect(guard, &QObject::destroyed, this, [this] { --m_open; });
    addPendingConnection(socket);
}

} // namespace sm

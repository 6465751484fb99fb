#include "HttpFront.h"

#include "model/Types.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>
#include <QWebSocket>

namespace sm {

namespace {

// Up to this size a body is copied in with the headers (Qt's socket buffer grows by 16 KiB).
constexpr qsizetype kInlineBodyBytes = 8 * 1024;

QByteArray methodName(QHttpServerRequest::Method method) {
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

} // namespace

// Subclassing QAbstractHttpServer (instead of QHttpServer's router) keeps routing, 405 and
// OPTIONS handling in our own route table, where the REST contract needs them.
class HttpFront::Server final : public QAbstractHttpServer {
public:
    explicit Server(Handler handler)
        : m_handler(std::move(handler)) {}

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override {
        const AfterAnswer afterAnswer = takeAfterAnswer(socket);
        // Qt 6.4 asks here first and upgrades a WebSocket handshake (`Upgrade: websocket` with
        // `Connection: upgrade`, its own test) only once it is "handled"; answering it would
        // put an HTTP answer before the 101. It goes on to the upgrade unanswered (Qt 6.7
        // replaces this with a verifier for upgrades). Any other request is answered.
        if (request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0 &&
            request.value("connection").toLower().contains("upgrade"))
            return true;
        auto *exchange = new HttpExchange(methodName(request.method()),
                                          request.url().path(QUrl::FullyEncoded).toUtf8(),
                                          request.query(), request.headers(), request.body(),
                                          makeResponder(request, socket), afterAnswer);
        m_handler(exchange);
        return true;
    }
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override {
        // Unreachable: handleRequest takes every request. Answer anyway so no client hangs.
        makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
    }

private:
    Handler m_handler;
};

HttpExchange::HttpExchange(QByteArray method, QByteArray rawPath, QUrlQuery query,
                           HeaderList headers, QByteArray body, QHttpServerResponder &&responder,
                           AfterAnswer afterAnswer)
    : m_method(std::move(method))
    , m_rawPath(std::move(rawPath))
    , m_query(std::move(query))
    , m_headers(std::move(headers))
    , m_body(std::move(body))
    , m_responder(std::make_unique<QHttpServerResponder>(std::move(responder)))
    , m_socket(m_responder->socket())
    , m_afterAnswer(afterAnswer) {
    m_clock.start();
    m_arrivedNs = steadyClockNs();
    if (m_socket)
        m_peer = m_socket->peerAddress();
}

HttpExchange::~HttpExchange() = default;

QByteArray HttpExchange::header(const QByteArray &name) const {
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpExchange::respond(int status, const HeaderList &headers, const QByteArray &body) {
    if (m_answered)
        return false;
    m_answered = true;
    if (m_onAnswer)
        std::exchange(m_onAnswer, nullptr)(status, body);
    // Gone, or closing already.
    if (m_socket.isNull() || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    // Qt writes the status line (with its reason phrases). The header block, and a body that
    // is not large, follow as one copy into the socket's buffer, so that the answer leaves in
    // one system call; Qt's writeHeader() makes four buffer writes per header. A large body
    // is handed over as it is, shared rather than copied.
    m_responder->writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(status));
    const bool inlineBody = body.size() <= kInlineBodyBytes;
    QByteArray head;
    head.reserve(256 + (inlineBody ? body.size() : 0));
    for (const auto &[key, value] : headers)
        head.append(key).append(": ").append(value).append("\r\n");
    if (status != 204 && status != 304)
        head.append("Content-Length: ").append(QByteArray::number(body.size())).append("\r\n");
    if (m_afterAnswer == AfterAnswer::Close)
        head.append("Connection: close\r\n");
    else if (m_afterAnswer == AfterAnswer::KeepOpenConfirmed)
        head.append("Connection: keep-alive\r\n");
    head.append("\r\n");
    if (inlineBody)
        head.append(body);
    m_socket->write(head.constData(), head.size()); // the pointer overload copies
    if (!inlineBody)
        m_socket->write(body);
    // Qt keeps a socket's writes until the loop's next pass finds it writable; the answer is
    // complete, so it goes out now. A failing write only aborts the socket (freed later).
    m_socket->flush();
    if (m_afterAnswer == AfterAnswer::Close)
        m_socket->disconnectFromHost(); // once what is unsent is written
    return true;
}

bool HttpExchange::startStream(int status, const HeaderList &headers) {
    if (m_answered)
        return false;
    m_answered = true;
    if (m_onAnswer)
        std::exchange(m_onAnswer, nullptr)(status, QByteArray());
    // A client that has already left gets no stream: its socket is freed only later and has
    // already said `disconnected`, so the stream would never learn that its reader is gone.
    if (m_socket.isNull() || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    m_streaming = true;
    // Only a stream's reader leaving is news (a plain answer is dropped with its socket), so
    // only a stream listens for it.
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpExchange::clientLeft);
    m_responder->writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(status));
    for (const auto &[key, value] : headers)
        m_responder->writeHeader(key, value);
    m_responder->writeHeader("Transfer-Encoding", "chunked");
    // The first body write ends the header block; an empty one writes nothing else.
    m_responder->writeBody(QByteArray());
    return true;
}

bool HttpExchange::writeChunk(const QByteArray &bytes) {
    if (!m_streaming || m_socket.isNull())
        return false;
    if (bytes.isEmpty())
        return true; // an empty chunk would end the body
    QByteArray frame = QByteArray::number(bytes.size(), 16) + "\r\n";
    frame.reserve(frame.size() + bytes.size() + 2);
    frame += bytes;
    frame += "\r\n";
    m_socket->write(frame);
    return true;
}

void HttpExchange::flush() {
    if (!m_socket.isNull())
        m_socket->flush();
}

qint64 HttpExchange::pendingBytes() const {
    return m_socket.isNull() ? 0 : m_socket->bytesToWrite();
}

void HttpExchange::endStream(bool abort) {
    if (!m_streaming)
        return;
    m_streaming = false;
    if (m_socket.isNull())
        return;
    disconnect(m_socket, nullptr, this, nullptr);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return; // the client already left
    if (abort) {
        m_socket->abort();
        return;
    }
    m_socket->write("0\r\n\r\n");
    // Streams end only when the client left or their source ended: close rather than keep a
    // connection whose reader expects nothing more.
    m_socket->disconnectFromHost();
}

HttpFront::HttpFront(Handler handler, QObject *parent)
    : QObject(parent)
    , m_server(std::make_unique<Server>(std::move(handler))) {}

HttpFront::~HttpFront() = default;

quint16 HttpFront::listen(const QHostAddress &address, quint16 port) {
    // Our own listener so that every client is bounded before QHttpServer buffers anything.
    auto *tcp = new GuardedTcpServer(m_limits, m_cors, m_refused, m_server.get());
    if (!tcp->listen(address, port)) {
        delete tcp;
        return 0;
    }
    m_server->bind(tcp);
    return tcp->serverPort();
}

void HttpFront::setWebSocketHandler(std::function<void(QWebSocket *)> handler) {
    QObject::connect(m_server.get(), &QAbstractHttpServer::newWebSocketConnection, this,
                     [this, handler = std::move(handler)] {
                         while (m_server->hasPendingWebSocketConnections())
                             handler(m_server->nextPendingWebSocketConnection().release());
                     });
}

void HttpFront::setLimits(const RequestLimits &limits, GuardedTcpServer::CorsHeaders cors,
                          GuardedTcpServer::Refused refused) {
    m_limits = limits;
    m_cors = std::move(cors);
    m_refused = std::move(refused);
}

} // namespace sm

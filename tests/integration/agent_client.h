#pragma once

#include <http_parser.h>

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

#include <functional>
#include <optional>

// A deliberately simple blocking HTTP/1.1 client over a plain AF_UNIX socket,
// for tests only: it can send arbitrary bytes (half requests, garbage,
// pipelines) and reads replies with libhttp-parser under a deadline.
struct HttpReply {
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-cased names
    QByteArray body;
    bool headersDone = false;
    bool complete = false;
    QJsonObject json() const;
};

class AgentConnection final {
public:
    explicit AgentConnection(const QString &socketPath);
    ~AgentConnection();
    AgentConnection(const AgentConnection &) = delete;
    AgentConnection &operator=(const AgentConnection &) = delete;

    bool isConnected() const { return m_fd >= 0; }
    int fd() const { return m_fd; }

    bool send(const QByteArray &bytes);
    bool sendRequest(const QByteArray &method, const QByteArray &target,
                     const QByteArray &body = QByteArray(),
                     const QByteArray &extraHeaders = QByteArray());
    // Reads until one whole reply has arrived; nullopt on timeout or close.
    std::optional<HttpReply> readReply(int timeoutMs = 5000);
    // Reads until `done(current reply so far)` holds; for streamed replies.
    bool readUntil(const std::function<bool(const HttpReply &)> &done, int timeoutMs = 5000);
    const HttpReply &current() const { return m_current; }
    // Waits until the server closes the connection (EOF); true if it did.
    bool waitClosed(int timeoutMs = 5000);

    HttpReply request(const QByteArray &method, const QByteArray &target,
                      const QByteArray &body = QByteArray(), int timeoutMs = 5000);

private:
    bool pump(int timeoutMs); // one read; false on timeout, EOF or error
    void parseBuffered();

    int m_fd = -1;
    bool m_eof = false;
    http_parser m_parser{};
    http_parser_settings m_settings{};
    QByteArray m_buffer;
    QByteArray m_field;
    HttpReply m_current;
    QList<HttpReply> m_done;
};

// One request on a fresh connection.
HttpReply agentRequest(const QString &socketPath, const QByteArray &method,
                       const QByteArray &target, const QByteArray &body = QByteArray());

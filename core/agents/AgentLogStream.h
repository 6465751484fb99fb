#pragma once

#include "async/Async.h"
#include "http/HttpClient.h"

#include <QPointer>

namespace sm {

// A LogStream over an agent's chunked follow answer: bytes become lines (a line split across
// chunks is joined, "\r\n" and "\n" both end one), and a non-200 answer or a broken connection
// ends it with the mapped ApiError.
class AgentLogStream final : public LogStream {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentLogStream)
public:
    AgentLogStream(QString container, HttpStream *upstream, int timeoutMs,
                   QObject *parent = nullptr);
    ~AgentLogStream() override;

    // A line longer than this is delivered in pieces rather than buffered without end.
    static constexpr qsizetype maxLineBytes = 1024 * 1024;

private:
    void onHeaders(int status);
    void onData(const QByteArray &bytes);
    void onFinished(const std::optional<HttpError> &error);
    void emitLine(QByteArray line);

    QString m_container;
    int m_timeoutMs;
    QPointer<HttpStream> m_upstream;
    int m_status = 0;
    QByteArray m_pending;
    bool m_done = false;
};

} // namespace sm

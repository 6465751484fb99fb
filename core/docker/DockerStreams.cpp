#include "docker/DockerStreams.h"

#include "docker/DockerClient.h"
#include "docker/DockerEvents.h"
#include "http/HttpClient.h"

#include <QUrl>

namespace sm {

namespace {
constexpr qint64 MaxErrorBody = 64 * 1024;

HttpStream *openStream(DockerClient *client, HttpRequest request) {
    request.timeoutMs = client->readTimeoutMs();
    return client->http()->stream(request);
}
} // namespace

DockerLogStream::DockerLogStream(DockerClient *client, const QString &name, int tail,
                                 QObject *parent)
    : LogStream(parent)
    , m_client(client)
    , m_name(name) {
    // The TTY flag decides whether the stream is framed; inspect also turns a wrong name into 404.
    client->inspect(this, name, [this, tail](Result<DockerInspect> info) {
        if (!info.ok())
            return end(info.error());
        const QByteArray path = "/containers/" + QUrl::toPercentEncoding(info.value().status.id) +
                                "/logs?stdout=1&stderr=1&timestamps=1&follow=1&tail=" +
                                (tail < 0 ? QByteArray("all") : QByteArray::number(tail));
        open(path, info.value().tty);
    });
}

DockerLogStream::~DockerLogStream() {
    delete m_stream;
}

void DockerLogStream::open(const QByteArray &path, bool tty) {
    if (!m_client)
        return end(ApiError::unavailable(QStringLiteral("Docker client is gone")));
    m_decoder = DockerLogDecoder(tty);
    m_client->versioned(this, path, [this](Result<HttpRequest> request) {
        if (!request.ok())
            return end(request.error());
        if (!m_client)
            return end(ApiError::unavailable(QStringLiteral("Docker client is gone")));
        m_stream = openStream(m_client, request.value());
        connect(m_stream, &HttpStream::headersReceived, this,
                [this](int status) { m_status = status; });
        connect(m_stream, &HttpStream::data, this, &DockerLogStream::onData);
        connect(m_stream, &HttpStream::finished, this, &DockerLogStream::onFinished);
    });
}

void DockerLogStream::onData(const QByteArray &bytes) {
    if (m_ended)
        return;
    if (m_status != 200) {
        if (m_errorBody.size() < MaxErrorBody)
            m_errorBody += bytes;
        return;
    }
    const QPointer<DockerLogStream> self(this); // a receiver may delete the stream
    for (const QByteArray &text : m_decoder.feed(bytes)) {
        Q_EMIT line(QString::fromUtf8(text));
        if (!self)
            return;
    }
    if (m_decoder.demuxer().failed())
        end(ApiError::badGateway(QStringLiteral("Docker sent broken log frames for '%1': %2")
                                     .arg(m_name, m_decoder.demuxer().error())));
}

void DockerLogStream::onFinished(const std::optional<HttpError> &error) {
    if (m_ended)
        return;
    if (error)
        return end(m_client ? m_client->transportError(*error)
                            : ApiError::unavailable(error->message));
    if (m_status != 200)
        return end(DockerClient::engineError(m_status, m_errorBody, m_name));
    const QPointer<DockerLogStream> self(this);
    for (const QByteArray &text : m_decoder.finish()) {
        Q_EMIT line(QString::fromUtf8(text));
        if (!self)
            return;
    }
    end(ApiError::none());
}

void DockerLogStream::end(const ApiError &error) {
    if (m_ended)
        return;
    m_ended = true;
    Q_EMIT finished(error);
}

DockerEventReader::DockerEventReader(DockerClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client) {
    const QByteArray filters = QUrl::toPercentEncoding(QStringLiteral(R"({"type":["container"]})"));
    client->versioned(this, "/events?filters=" + filters, [this](Result<HttpRequest> request) {
        if (!request.ok())
            return end(request.error());
        if (!m_client)
            return end(ApiError::unavailable(QStringLiteral("Docker client is gone")));
        // Events come rarely: only the wait for the headers has a deadline.
        m_stream = openStream(m_client, request.value());
        connect(m_stream, &HttpStream::headersReceived, this, [this](int status) {
            m_status = status;
            if (status == 200)
                Q_EMIT connected();
        });
        connect(m_stream, &HttpStream::data, this, &DockerEventReader::onData);
        connect(m_stream, &HttpStream::finished, this, &DockerEventReader::onFinished);
    });
}

DockerEventReader::~DockerEventReader() {
    delete m_stream;
}

void DockerEventReader::onData(const QByteArray &bytes) {
    if (m_ended)
        return;
    if (m_status != 200) {
        if (m_errorBody.size() < MaxErrorBody)
            m_errorBody += bytes;
        return;
    }
    for (const QByteArray &line : m_lines.feed(bytes)) {
        if (const auto parsed = parseDockerEventLine(line)) {
            const QPointer<DockerEventReader> self(this); // a receiver may delete the reader
            Q_EMIT containerEvent(*parsed);
            if (!self)
                return;
        }
    }
}

void DockerEventReader::onFinished(const std::optional<HttpError> &error) {
    if (m_ended)
        return;
    if (error)
        return end(m_client ? m_client->transportError(*error)
                            : ApiError::unavailable(error->message));
    if (m_status != 200)
        return end(DockerClient::engineError(m_status, m_errorBody, {}));
    if (const auto parsed = parseDockerEventLine(m_lines.takeRest()))
        Q_EMIT containerEvent(*parsed);
    end(ApiError::none());
}

void DockerEventReader::end(const ApiError &error) {
    if (m_ended)
        return;
    m_ended = true;
    Q_EMIT finished(error);
}

} // namespace sm

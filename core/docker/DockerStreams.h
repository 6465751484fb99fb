#pragma once

#include "async/Async.h"
#include "docker/DockerFrames.h"
#include "model/ApiError.h"
#include "model/Types.h"

#include <QObject>
#include <QPointer>

#include <optional>

namespace sm {

class DockerClient;
class HttpStream;
struct HttpError;

// GET /containers/{id}/logs?follow=1 as lines: stdout and stderr demultiplexed, each cut into
// lines on its own. Deleting it closes the connection to the Engine.
class DockerLogStream final : public LogStream {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockerLogStream)
public:
    DockerLogStream(DockerClient *client, const QString &name, int tail, QObject *parent = nullptr);
    ~DockerLogStream() override;

private:
    void open(const QByteArray &path, bool tty);
    void onData(const QByteArray &bytes);
    void onFinished(const std::optional<HttpError> &error);
    void end(const ApiError &error);

    QPointer<DockerClient> m_client;
    QString m_name;
    HttpStream *m_stream = nullptr;
    int m_status = 0;
    QByteArray m_errorBody;
    DockerLogDecoder m_decoder;
    bool m_ended = false;
};

// GET /events?filters={"type":["container"]}, one DockerEvent per Engine event. Reports its end
// once (error.status == 0 for a clean end); it does not reconnect by itself.
class DockerEventReader final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockerEventReader)
public:
    explicit DockerEventReader(DockerClient *client, QObject *parent = nullptr);
    ~DockerEventReader() override;

Q_SIGNALS:
    // The Engine accepted the subscription: events from now on are seen.
    void connected();
    void containerEvent(const sm::DockerEvent &event);
    void finished(const sm::ApiError &error);

private:
    void onData(const QByteArray &bytes);
    void onFinished(const std::optional<HttpError> &error);
    void end(const ApiError &error);

    QPointer<DockerClient> m_client;
    HttpStream *m_stream = nullptr;
    int m_status = 0;
    QByteArray m_errorBody;
    LineAssembler m_lines;
    bool m_ended = false;
};

} // namespace sm

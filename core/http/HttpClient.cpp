#include "HttpClient.h"

#include "HttpPool.h"

namespace sm {

QByteArray HttpResponse::header(const QByteArray &name) const {
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpClient::HttpClient(QString socketPath, int maxConnections, QObject *parent)
    : QObject(parent)
    , d(new HttpPool(std::move(socketPath), maxConnections, this)) {}

HttpClient::~HttpClient() {
    delete d;
}

void HttpClient::send(const HttpRequest &request, QObject *context,
                      std::function<void(HttpResult)> done) {
    d->send(request, context, std::move(done));
}

HttpStream *HttpClient::stream(const HttpRequest &request) {
    auto *stream = new HttpStream;
    d->startStream(request, stream);
    return stream;
}

QString HttpClient::socketPath() const {
    return d->socketPath();
}

void HttpClient::setSocketPath(const QString &path) {
    d->setSocketPath(path);
}

int HttpClient::openConnections() const {
    return d->openConnections();
}

} // namespace sm

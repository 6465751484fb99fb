#include "backend/RemoteHttp.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

namespace sm {

QString remoteDisplayUrl(QNetworkReply *reply) {
    return reply->url()
        .adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveUserInfo)
        .toString();
}

bool remoteLinkFailed(QNetworkReply *reply) {
    return reply->error() != QNetworkReply::NoError &&
           reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 0;
}

ApiError remoteReplyError(QNetworkReply *reply, const QByteArray &body) {
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString where = remoteDisplayUrl(reply);
    if (status == 0) {
        // Qt reports an expired transfer timeout as a cancelled operation; this class never
        // cancels a request it still wants answered, so a cancel here is the timeout.
        if (reply->error() == QNetworkReply::OperationCanceledError ||
            reply->error() == QNetworkReply::TimeoutError)
            return ApiError::timeout(
                QStringLiteral("system-managerd at %1 did not answer in time").arg(where));
        return ApiError::unavailable(QStringLiteral("Cannot reach system-managerd at %1: %2")
                                         .arg(where, reply->errorString()));
    }
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    const QJsonObject envelope = doc.object();
    if (envelope.value(QLatin1String("error")).isString())
        return {status, envelope.value(QLatin1String("error")).toString(),
                envelope.value(QLatin1String("detail"))};
    // A proxy or an older daemon may answer with plain text or FastAPI's {"detail": ...}.
    QString message = envelope.value(QLatin1String("detail")).toString();
    if (message.isEmpty())
        message = QString::fromUtf8(body.left(200)).trimmed();
    if (message.isEmpty())
        message = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    return {status, QStringLiteral("HTTP %1 from %2: %3").arg(status).arg(where, message),
            QJsonValue::Null};
}

} // namespace sm

#pragma once

#include "model/ApiError.h"

#include <QByteArray>
#include <QString>

class QNetworkReply;

namespace sm {

// Turns a finished QNetworkReply that failed into the ApiError the daemon meant: its JSON
// envelope ({"error", "detail"}) and HTTP status when it answered, 504 when the transfer
// timed out, 503 when the daemon could not be reached at all.
ApiError remoteReplyError(QNetworkReply *reply, const QByteArray &body);

// True when the reply failed below HTTP (no status line came back): the link itself is down.
bool remoteLinkFailed(QNetworkReply *reply);

// The daemon's address as shown to people: "http://robot:8081".
QString remoteDisplayUrl(QNetworkReply *reply);

} // namespace sm

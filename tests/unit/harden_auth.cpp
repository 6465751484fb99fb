// api.tokens over the real RestServer and a scripted Backend: 401 with WWW-Authenticate for a
// missing or wrong token, 403 for a viewer on a control route, open routes and preflights
// without a token, the request body bound (413 just past it), and no token in the access log.
#include "FakeBackend.h"
#include "RestServer.h"
#include "http/Auth.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <memory>
#include <unistd.h>

using namespace sm;

namespace {

struct Answer {
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

const QByteArray kViewer = "viewer-3f9a1c";
const QByteArray kOperator = "operator-77be02d1";

} // namespace

class HardenAuthTest final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<RestServer> m_server;
    QNetworkAccessManager m_nam;
    quint16 m_port = 0;

    void startServer(QList<ApiToken> tokens, qint64 maxBody = 1024 * 1024, bool log = false) {
        m_server.reset();
        m_backend = std::make_unique<FakeBackend>();
        RestSettings settings;
        settings.containers = {"ai_worker"};
        settings.accessLog = log;
        settings.tokens = std::move(tokens);
        settings.maxBodyBytes = maxBody;
        m_server = std::make_unique<RestServer>(m_backend.get(), settings);
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }
    static QList<ApiToken> twoTokens() {
        return {{"dashboard", QString::fromUtf8(kViewer), Role::Viewer},
                {"fleet", QString::fromUtf8(kOperator), Role::Operator}};
    }

    Answer call(const QByteArray &verb, const QByteArray &path, const QByteArray &body = {},
                const HeaderList &headers = {}) {
        QNetworkRequest request(
            QUrl::fromEncoded("http://127.0.0.1:" + QByteArray::number(m_port) + path));
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        for (const auto &[k, v] : headers)
            request.setRawHeader(k, v);
        QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        Answer answer;
        if (!reply->isFinished() && !finished.wait(10000))
            return answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        for (const auto &[k, v] : reply->rawHeaderPairs())
            answer.headers.insert(k.toLower(), v);
        reply->deleteLater();
        return answer;
    }
    static HeaderList bearer(const QByteArray &token) {
        return {{"Authorization", "Bearer " + token}};
    }
    static void checkEnvelope(const Answer &a, int status) {
        QCOMPARE(a.status, status);
        QCOMPARE(a.json().keys(), QStringList({"detail", "error"}));
        QVERIFY(!a.json().value("error").toString().isEmpty());
        QCOMPARE(a.headers.value("content-type"), QByteArray("application/json"));
    }

private Q_SLOTS:
    void bearerParsing_data() {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("token");
        QTest::addRow("plain") << QByteArray("Bearer abc") << QByteArray("abc");
        QTest::addRow("scheme case") << QByteArray("bEARER abc") << QByteArray("abc");
        QTest::addRow("extra spaces") << QByteArray("  Bearer   abc  ") << QByteArray("abc");
        QTest::addRow("basic") << QByteArray("Basic abc") << QByteArray();
        QTest::addRow("no token") << QByteArray("Bearer") << QByteArray();
        QTest::addRow("no space") << QByteArray("Bearerabc") << QByteArray();
        QTest::addRow("empty") << QByteArray() << QByteArray();
    }
    void bearerParsing() {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, token);
        QCOMPARE(Auth::bearerToken(header), token);
    }

    void checkWithoutServer() {
        const Auth none;
        QVERIFY(!none.enabled());
        QVERIFY(!none.check({}, "POST", Access::Control));
        const Auth auth(twoTokens());
        QCOMPARE(auth.tokenCount(), 2);
        QVERIFY(!auth.check({}, "GET", Access::Open));
        QCOMPARE(auth.check({}, "GET", Access::Read)->status, 401);
        QCOMPARE(auth.check("Bearer " + kViewer, "GET", Access::Read), std::nullopt);
        QCOMPARE(auth.check("Bearer " + kViewer, "POST", Access::Control)->status, 403);
        // A non-GET route tagged Read by mistake still needs an operator.
        QCOMPARE(auth.check("Bearer " + kViewer, "PUT", Access::Read)->status, 403);
        QCOMPARE(auth.check("Bearer " + kOperator, "PUT", Access::Control), std::nullopt);
        // Prefixes, extensions and case changes of a valid token are other tokens.
        QCOMPARE(auth.check("Bearer " + kOperator.chopped(1), "GET", Access::Read)->status, 401);
        QCOMPARE(auth.check("Bearer " + kOperator + "x", "GET", Access::Read)->status, 401);
        QCOMPARE(auth.check("Bearer " + kOperator.toUpper(), "GET", Access::Read)->status, 401);
        // The header bound: a valid token padded past it is refused without hashing.
        const QByteArray padded = "Bearer " + QByteArray(Auth::kMaxHeaderBytes, ' ') + kOperator;
        QCOMPARE(auth.check(padded, "GET", Access::Read)->status, 401);
        const QByteArray atLimit =
            "Bearer " + QByteArray(Auth::kMaxHeaderBytes - 7 - kOperator.size(), ' ') + kOperator;
        QCOMPARE(atLimit.size(), Auth::kMaxHeaderBytes);
        QCOMPARE(auth.check(atLimit, "GET", Access::Read), std::nullopt);
    }

    void noTokensIsOpen() {
        startServer({});
        QCOMPARE(call("GET", "/containers").status, 200);
        QCOMPARE(
            call("POST", "/containers/ai_worker/services/svc", R"({"action":"restart"})").status,
            200);
    }

    void missingOrWrongToken_data() {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("authorization");
        const QList<QPair<QByteArray, QByteArray>> routes{
            {"GET", "/containers"},
            {"GET", "/containers/ai_worker/services/status"},
            {"GET", "/containers/ai_worker/services/svc/logs"},
            {"GET", "/events"},
            {"GET", "/docker/containers"},
            {"POST", "/containers/ai_worker/services/svc"},
            {"PUT", "/containers/ai_worker/services/svc/run"},
            {"POST", "/docker/containers/x"}};
        for (const auto &[verb, path] : routes) {
            QTest::addRow("%s %s none", verb.constData(), path.constData())
                << verb << path << QByteArray();
            QTest::addRow("%s %s wrong", verb.constData(), path.constData())
                << verb << path << QByteArray("Bearer nope");
            QTest::addRow("%s %s basic", verb.constData(), path.constData())
                << verb << path << QByteArray("Basic " + kOperator.toBase64());
        }
    }
    void missingOrWrongToken() {
        QFETCH(QByteArray, verb);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, authorization);
        startServer(twoTokens());
        HeaderList headers;
        if (!authorization.isEmpty())
            headers.append({"Authorization", authorization});
        const Answer a = call(verb, path, verb == "GET" ? QByteArray() : "{}", headers);
        checkEnvelope(a, 401);
        QCOMPARE(a.headers.value("www-authenticate"), QByteArray("Bearer"));
        QVERIFY(a.headers.contains("access-control-allow-origin")); // CORS on errors too
        QVERIFY(m_backend->calls.isEmpty());                        // nothing reached the backend
    }

    void viewerReadsOnly() {
        startServer(twoTokens());
        QCOMPARE(call("GET", "/containers", {}, bearer(kViewer)).status, 200);
        QCOMPARE(call("GET", "/containers/ai_worker/services/svc/run", {}, bearer(kViewer)).status,
                 200);
        const Answer control = call("POST", "/containers/ai_worker/services/svc",
                                    R"({"action":"down"})", bearer(kViewer));
        checkEnvelope(control, 403);
        QVERIFY(!control.headers.contains("www-authenticate"));
        checkEnvelope(call("PUT", "/containers/ai_worker/services/svc/run",
                           R"({"content":"#!/bin/sh\n"})", bearer(kViewer)),
                      403);
        checkEnvelope(call("POST", "/docker/containers/x", R"({"action":"down"})", bearer(kViewer)),
                      403);
        QVERIFY(!m_backend->calls.contains("control ai_worker svc down"));
    }

    void operatorDoesEverything() {
        startServer(twoTokens());
        QCOMPARE(call("GET", "/containers", {}, bearer(kOperator)).status, 200);
        QCOMPARE(call("POST", "/containers/ai_worker/services/svc", R"({"action":"down"})",
                      bearer(kOperator))
                     .status,
                 200);
        QVERIFY(m_backend->calls.contains("control ai_worker svc down"));
    }

    void openRoutesAndPreflight_data() {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("status");
        QTest::addRow("root") << QByteArray("/") << 200;
        QTest::addRow("healthz") << QByteArray("/healthz") << 200;
        QTest::addRow("openapi") << QByteArray("/openapi.json") << 200;
        QTest::addRow("docs") << QByteArray("/docs") << 200;
        QTest::addRow("redoc") << QByteArray("/redoc") << 200;
    }
    void openRoutesAndPreflight() {
        QFETCH(QByteArray, path);
        QFETCH(int, status);
        startServer(twoTokens());
        QCOMPARE(call("GET", path).status, status);
        // A wrong token on an open route is not held against it.
        QCOMPARE(call("GET", path, {}, bearer("nope")).status, status);
        const Answer preflight =
            call("OPTIONS", "/containers/ai_worker/services/svc", {},
                 {{"Origin", "http://ui:3000"},
                  {"Access-Control-Request-Method", "POST"},
                  {"Access-Control-Request-Headers", "authorization, content-type"}});
        QCOMPARE(preflight.status, 204);
        QCOMPARE(preflight.headers.value("access-control-allow-headers"),
                 QByteArray("authorization, content-type"));
    }

    void bodyBound() {
        const qint64 limit = 4096;
        startServer({}, limit);
        // A JSON object of exactly `limit` bytes is read (and validated); one byte more is 413.
        QByteArray body = R"({"action":"restart","pad":")";
        body += QByteArray(limit - body.size() - 2, 'x') + "\"}";
        QCOMPARE(body.size(), limit);
        QCOMPARE(call("POST", "/containers/ai_worker/services/svc", body).status, 200);
        body.insert(body.size() - 2, 'x');
        const Answer tooBig = call("POST", "/containers/ai_worker/services/svc", body);
        checkEnvelope(tooBig, 413);
        QCOMPARE(m_backend->calls.count(), 1);
    }

    void tokensNeverLogged() {
        // The access log writes to fd 2: point it at a file for the duration.
        QTemporaryDir dir;
        const QString path = dir.filePath("stderr");
        const int saved = ::dup(STDERR_FILENO);
        const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT, 0600);
        QVERIFY(saved >= 0 && fd >= 0);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
        startServer(twoTokens(), 1024 * 1024, true);
        const int ok = call("GET", "/containers?token=" + kOperator, {}, bearer(kOperator)).status;
        const int bad =
            call("GET", "/containers?access_token=" + kViewer, {}, bearer("wrong-secret")).status;
        m_server.reset(); // flushes the log
        ::dup2(saved, STDERR_FILENO);
        ::close(saved);
        QCOMPARE(ok, 200);
        QCOMPARE(bad, 401);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray log = file.readAll();
        QVERIFY2(log.contains("GET /containers 200 "), log.constData());
        QVERIFY2(log.contains("GET /containers 401 "), log.constData());
        QVERIFY(!log.contains(kOperator));
        QVERIFY(!log.contains(kViewer));
        QVERIFY(!log.contains("wrong-secret"));
        // Query strings are not logged either (audit lines name a token's *name*, key token=).
        QVERIFY(!log.contains("?token="));
        QVERIFY(!log.contains("access_token"));
    }
};

QTEST_MAIN(HardenAuthTest)
#include "harden_auth.moc"

// system-managerd end to end: a real s6 tree, the project's s6-agent, the daemon binary, and
// every route's JSON checked byte for byte (field names, types, order) plus the error table.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

#include <QJsonArray>

class DaemonApiTest final : public QObject {
    Q_OBJECT

private:
    S6Tree m_tree;
    AgentProcess m_agent;
    QTemporaryDir m_tmp;
    DaemonProcess m_daemon;
    std::unique_ptr<DaemonClient> m_client;

    static QByteArray J(const char *text) { return QByteArray(text).replace('\'', '"'); }

    void checkError(const DaemonAnswer &a, int status) {
        QCOMPARE(a.status, status);
        QCOMPARE(keyOrder(a.body), errorshape::keyOrderFor(a.status, a.json()));
        QVERIFY(!a.json().value("error").toString().isEmpty());
        QCOMPARE(a.header("access-control-allow-origin"), QByteArray("*"));
        QCOMPARE(a.header("vary"), QByteArray("Origin"));
    }

    void checkStatusShape(const QJsonObject &o, const QByteArray &raw) {
        // The old service's fields first, then the extended ones this project's agent adds,
        // then its deaths.
        QCOMPARE(keyOrder(raw),
                 QStringList({"container", "service", "service_label", "name", "raw", "is_up",
                              "pid", "uptime_seconds", "normally_up", "want_up", "ready", "paused",
                              "exit_code", "signal", "since", "deaths_last_minute", "last_death",
                              "deaths_last_hour", "failed"}));
        QVERIFY(o.value("deaths_last_hour").isDouble());
        QVERIFY(o.value("failed").isBool());
        QVERIFY(o.value("normally_up").isBool() && o.value("want_up").isBool());
        QVERIFY(o.value("exit_code").isDouble() || o.value("exit_code").isNull());
        QVERIFY(o.value("since").toString().endsWith(u'Z'));
        QVERIFY(o.value("raw").isString());
        QVERIFY(o.value("is_up").isBool());
        QVERIFY(o.value("pid").isDouble() || o.value("pid").isNull());
        QVERIFY(o.value("uptime_seconds").isDouble() || o.value("uptime_seconds").isNull());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tree.isValid());
        QVERIFY(m_tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
        S6Tree::ServiceOptions down;
        down.downFile = true;
        QVERIFY(m_tree.addService("standby", "#!/bin/sh\nexec sleep 100000\n", down));
        S6Tree::ServiceOptions logged;
        logged.logger = true;
        QVERIFY(m_tree.addService(
            "chatter",
            "#!/bin/sh\nexec 2>&1\necho hello-1\necho hello-2\necho hello-3\nexec sleep 100000\n",
            logged));
        QVERIFY(m_tree.addService("editable", "#!/bin/sh\nexec sleep 100000\n"));
        QVERIFY2(m_tree.start(), qPrintable(m_tree.errorString()));
        QVERIFY2(m_agent.start(agentOptions(m_tree)), qPrintable(m_agent.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_tree.isUp("web"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(QFile(m_tree.logFile("chatter")).size() > 0, 10000);

        const QByteArray config = "containers:\n"
                                  "  - name: ai_worker\n"
                                  "    socket_path: " +
                                  m_agent.socketPath().toUtf8() +
                                  "\n"
                                  "    services:\n"
                                  "      - id: web\n"
                                  "        label: Web Server\n"
                                  "  - name: ghost\n"
                                  "    socket_path: " +
                                  m_tmp.filePath("missing.sock").toUtf8() +
                                  "\n"
                                  "docker:\n"
                                  "  socket_path: " +
                                  m_tmp.filePath("no-docker.sock").toUtf8() +
                                  "\n"
                                  "api:\n"
                                  "  request_timeout_ms: 60000\n";
        QVERIFY2(m_daemon.startWithConfig(config), m_daemon.allStderr().constData());
        m_client = std::make_unique<DaemonClient>(m_daemon.baseUrl());
    }

    void cleanupTestCase() {
        m_client.reset();
        QCOMPARE(m_daemon.stop(), 0);
        const QByteArray log = m_daemon.allStderr();
        // One access-log line per request: method, path, status, milliseconds.
        QVERIFY2(log.contains("GET /containers 200 "), log.constData());
        QVERIFY(m_agent.stop());
        QVERIFY(m_tree.stop());
    }

    void root() {
        const DaemonAnswer a = m_client->get("/");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body), QStringList({"message", "version", "docs", "description"}));
        QVERIFY(a.body.startsWith(
            J("{'message':'System Manager API','version':'" SM_VERSION
              "','docs':{'swagger_ui':'/docs','redoc':'/redoc','openapi_schema':'/openapi.json'},"
              "'description':'")));
        QCOMPARE(a.header("content-type"), QByteArray("application/json"));
    }

    void containers() {
        const DaemonAnswer a = m_client->get("/containers");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, J("{'containers':[{'name':'ai_worker','socket_path':'") +
                             m_agent.socketPath().toUtf8() +
                             J("'},{'name':'ghost','socket_path':'") +
                             m_tmp.filePath("missing.sock").toUtf8() + J("'}]}"));
    }

    void services() {
        const DaemonAnswer a = m_client->get("/containers/ai_worker/services");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body,
                 J("{'container':'ai_worker','services':[{'id':'chatter','label':'chatter'},"
                   "{'id':'editable','label':'editable'},{'id':'standby','label':'standby'},"
                   "{'id':'web','label':'Web Server'}]}"));
    }

    void status() {
        DaemonAnswer a = m_client->get("/containers/ai_worker/services/web/status");
        QCOMPARE(a.status, 200);
        QJsonObject o = a.json();
        checkStatusShape(o, a.body);
        QVERIFY(a.body.startsWith(J("{'container':'ai_worker','service':'web','service_label':"
                                    "'Web Server','name':'web','raw':'up (pid ")));
        QCOMPARE(o.value("is_up").toBool(), true);
        QVERIFY(o.value("pid").toInt() > 0);
        QVERIFY(o.value("raw").toString().startsWith(
            QStringLiteral("up (pid %1) ").arg(o.value("pid").toInt())));

        a = m_client->get("/containers/ai_worker/services/standby/status");
        QCOMPARE(a.status, 200);
        o = a.json();
        checkStatusShape(o, a.body);
        QCOMPARE(o.value("is_up").toBool(), false);
        QVERIFY(o.value("pid").isNull());
        QVERIFY(o.value("raw").toString().startsWith("down "));
    }

    void statuses() {
        const DaemonAnswer a = m_client->get("/containers/ai_worker/services/status");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body), QStringList({"container", "statuses"}));
        const QJsonArray list = a.json().value("statuses").toArray();
        QStringList names;
        for (const QJsonValue &v : list)
            names.append(v.toObject().value("service").toString());
        QCOMPARE(names, QStringList({"chatter", "editable", "standby", "web"}));
        QCOMPARE(list.at(3).toObject().value("service_label").toString(), QString("Web Server"));
    }

    void control() {
        DaemonAnswer a =
            m_client->call("POST", "/containers/ai_worker/services/web", J("{'action':'down'}"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body,
                 J("{'container':'ai_worker','service':'web','action':'down','result':'ok'}"));
        QTRY_VERIFY_WITH_TIMEOUT(!m_tree.isUp("web"), 10000);
        a = m_client->call("POST", "/containers/ai_worker/services/web", J("{'action':'up'}"));
        QCOMPARE(a.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(m_tree.isUp("web"), 10000);
        const int before =
            m_client->get("/containers/ai_worker/services/web/status").json().value("pid").toInt();
        a = m_client->call("POST", "/containers/ai_worker/services/web", J("{'action':'restart'}"));
        QCOMPARE(a.body,
                 J("{'container':'ai_worker','service':'web','action':'restart','result':'ok'}"));
        QTRY_VERIFY_WITH_TIMEOUT(m_client->get("/containers/ai_worker/services/web/status")
                                         .json()
                                         .value("pid")
                                         .toInt() != before,
                                 10000);
    }

    void logs() {
        const DaemonAnswer a = m_client->get("/containers/ai_worker/services/chatter/logs?tail=2");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body),
                 QStringList({"container", "service", "logs", "tail", "log_path", "cursor"}));
        const QJsonObject o = a.json();
        QCOMPARE(o.value("container").toString(), QString("ai_worker"));
        QCOMPARE(o.value("service").toString(), QString("chatter"));
        QVERIFY2(o.value("logs").toString().contains("hello-3"), a.body.constData());
        QVERIFY(!o.value("logs").toString().contains("hello-1"));
        QCOMPARE(o.value("tail").toInt(), 2);
        QCOMPARE(o.value("log_path").toString(), m_tree.logFile("chatter"));
    }

    void runScript() {
        DaemonAnswer a = m_client->get("/containers/ai_worker/services/editable/run");
        QCOMPARE(a.status, 200);
        QCOMPARE(keyOrder(a.body), QStringList({"container", "service", "path", "content"}));
        QCOMPARE(a.json().value("content").toString(), QString("#!/bin/sh\nexec sleep 100000\n"));
        const QString path = a.json().value("path").toString();
        QVERIFY(path.endsWith("/editable/run"));

        const QByteArray script = "#!/bin/sh\n# edited\nexec sleep 100000\n";
        a = m_client->call("PUT", "/containers/ai_worker/services/editable/run",
                           J("{'content':'#!/bin/sh\\n# edited\\nexec sleep 100000\\n'}"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value("content").toString(), QString::fromUtf8(script));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), script);
    }

    void errorTable() {
        DaemonAnswer a = m_client->get("/containers/nope/services");
        checkError(a, 404);
        QCOMPARE(a.body, QByteArray("{\"error\":\"Container 'nope' not found\",\"detail\":null}"));

        // The agent's 404 is passed through with its message.
        a = m_client->get("/containers/ai_worker/services/nope/status");
        checkError(a, 404);
        a = m_client->get("/containers/ai_worker/services/web/logs");
        checkError(a, 404); // web has no logger

        // A missing socket is a 503 at once: the deadline is a minute away, far beyond this
        // call's wait, so an answer that comes at all did not wait for it.
        a = m_client->get("/containers/ghost/services/status");
        checkError(a, 503);
        QVERIFY2(a.json().value("error").toString().startsWith(
                     "Agent for container 'ghost' is unreachable: "),
                 a.body.constData());

        a = m_client->get("/containers/ai_worker/services/chatter/logs?tail=abc");
        checkError(a, 422);
        QCOMPARE(errorshape::invalidField(a.json()), QString("tail"));
        a = m_client->call("POST", "/containers/ai_worker/services/web", J("{'action':'bogus'}"));
        checkError(a, 422);
        QCOMPARE(errorshape::invalidField(a.json()), QString("action"));
        a = m_client->call("POST", "/containers/ai_worker/services/web", "not json");
        checkError(a, 422);
        a = m_client->call("PUT", "/containers/ai_worker/services/editable/run",
                           J("{'content':''}"));
        checkError(a, 400);
        QCOMPARE(a.json().value("error").toString(), QString("Content must not be empty"));

        a = m_client->call("DELETE", "/containers/ai_worker/services/web/status");
        checkError(a, 405);
        QCOMPARE(a.header("allow"), QByteArray("GET, OPTIONS"));
        checkError(m_client->get("/no/such/route"), 404);

        a = m_client->get("/docker/containers");
        checkError(a, 503);
        checkError(m_client->get("/docker/containers/x/status"), 503);
    }

    void health() {
        const DaemonAnswer a = m_client->get("/healthz");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, J("{'status':'ok','agents':{'ai_worker':'reachable','ghost':"
                           "'unreachable'},'docker':'unavailable'}"));
    }

    void cors() {
        const DaemonAnswer a = m_client->call("OPTIONS", "/containers/ai_worker/services/web", {},
                                              {{"Origin", "http://localhost:3000"},
                                               {"Access-Control-Request-Method", "POST"},
                                               {"Access-Control-Request-Headers", "content-type"}});
        QCOMPARE(a.status, 204);
        QCOMPARE(a.header("access-control-allow-origin"), QByteArray("http://localhost:3000"));
        QCOMPARE(a.header("access-control-allow-methods"), QByteArray("POST, OPTIONS"));
        QCOMPARE(a.header("access-control-allow-headers"), QByteArray("content-type"));
        QCOMPARE(a.header("access-control-allow-credentials"), QByteArray("true"));
        QCOMPARE(a.header("access-control-max-age"), QByteArray("600"));
        const DaemonAnswer e = m_client->call("GET", "/containers/nope/services", {},
                                              {{"Origin", "http://localhost:3000"}});
        QCOMPARE(e.status, 404);
        QCOMPARE(e.header("access-control-allow-origin"), QByteArray("http://localhost:3000"));
        QCOMPARE(e.header("vary"), QByteArray("Origin"));
    }

    void docs() {
        const DaemonAnswer spec = m_client->get("/openapi.json");
        QCOMPARE(spec.status, 200);
        QVERIFY(spec.json().value("paths").toObject().contains(
            "/containers/{container}/services/{service}"));
        for (const QByteArray path : {"/docs", "/redoc"}) {
            const DaemonAnswer page = m_client->get(path);
            QCOMPARE(page.status, 200);
            QVERIFY(page.header("content-type").startsWith("text/html"));
        }
    }
};

QTEST_GUILESS_MAIN(DaemonApiTest)
#include "daemon_api.moc"

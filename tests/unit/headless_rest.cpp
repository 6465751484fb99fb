// The REST routes against a scripted Backend: exact bodies (field names, types, order), input
// validation with the field named, and the self-describing routes (OpenAPI, docs pages).
#include "headless_fixture.h"

class HeadlessRestTest final : public RestFixture {
    Q_OBJECT

private Q_SLOTS:
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void root() {
        const Answer a = call("GET", "/");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(a.body.startsWith(
            "{\"message\":\"System Manager API\",\"version\":\"" SM_VERSION "\",\"docs\":"
            "{\"swagger_ui\":\"/docs\",\"redoc\":\"/redoc\",\"openapi_schema\":\"/openapi.json\"},"
            "\"description\":\""));
        QCOMPARE(a.headers.value("access-control-allow-origin"), QByteArray("*"));
        QCOMPARE(a.headers.value("vary"), QByteArray("Origin"));
    }

    void exactBodies_data() {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<QString>("call");
        QTest::addRow("containers")
            << QByteArray("GET") << QByteArray("/containers") << QByteArray()
            << J("{'containers':[{'name':'ai_worker','socket_path':'/agents/ai_worker/"
                 "s6_agent.sock'},{'name':'perception','socket_path':'/agents/p.sock'}]}")
            << "containers";
        QTest::addRow("services") << QByteArray("GET")
                                  << QByteArray("/containers/ai_worker/services") << QByteArray()
                                  << J("{'container':'ai_worker','services':[{'id':'ros_bridge','"
                                       "label':'ROS Bridge'},{'id':'svc','label':'svc'}]}")
                                  << "services ai_worker";
        QTest::addRow("status")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/svc/status")
            << QByteArray()
            << J("{'container':'ai_worker','service':'svc','service_label':'Label','name':'svc','"
                 "raw':'up (pid 1234) 10 seconds','is_up':true,'pid':1234,'uptime_seconds':10}")
            << "status ai_worker svc";
        QTest::addRow("statuses")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/status")
            << QByteArray()
            << J("{'container':'ai_worker','statuses':[{'container':'ai_worker','service':'svc','"
                 "service_label':'Label','name':'svc','raw':'up (pid 1234) 10 "
                 "seconds','is_up':true,'pid':1234,'uptime_seconds':10}]}")
            << "statuses ai_worker";
        QTest::addRow("control")
            << QByteArray("POST") << QByteArray("/containers/ai_worker/services/svc")
            << J("{'action':'restart'}")
            << J("{'container':'ai_worker','service':'svc','action':'restart','result':'ok'}")
            << "control ai_worker svc restart";
        QTest::addRow("logs default tail")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/svc/logs")
            << QByteArray()
            << J("{'container':'ai_worker','service':'svc','logs':'a\\nb\\n','tail':100,'log_path':"
                 "'/var/log/svc/current'}")
            << "logs ai_worker svc 100 0 -1";
        QTest::addRow("logs options")
            << QByteArray("GET")
            << QByteArray(
                   "/containers/ai_worker/services/svc/logs?tail=5&strip_ansi=true&cursor=42&x=y")
            << QByteArray()
            << J("{'container':'ai_worker','service':'svc','logs':'a\\nb\\n','tail':5,'log_path':'/"
                 "var/log/svc/current'}")
            << "logs ai_worker svc 5 1 42";
        QTest::addRow("run") << QByteArray("GET")
                             << QByteArray("/containers/ai_worker/services/svc/run") << QByteArray()
                             << J("{'container':'ai_worker','service':'svc','path':'/etc/s6/svc/"
                                  "run','content':'#!/bin/sh\\n'}")
                             << "run ai_worker svc";
        QTest::addRow("set run")
            << QByteArray("PUT") << QByteArray("/containers/ai_worker/services/svc/run")
            << J("{'content':'x'}")
            << J("{'container':'ai_worker','service':'svc','path':'/etc/s6/svc/run','content':'x'}")
            << "setrun ai_worker svc x";
        QTest::addRow("service name with @ and .")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/getty@tty1.x/run")
            << QByteArray()
            << J("{'container':'ai_worker','service':'getty@tty1.x','path':'/etc/s6/getty@tty1.x/"
                 "run','content':'#!/bin/sh\\n'}")
            << "run ai_worker getty@tty1.x";
        QTest::addRow("docker list")
            << QByteArray("GET") << QByteArray("/docker/containers?all=true") << QByteArray()
            << QByteArray(J("{'containers':[{'id':'") + QByteArray(64, 'a') +
                          J("','name':'ai_worker','status':'running','image':'repo:tag','created':'"
                            "2024-01-01T00:00:00Z'}]}"))
            << "docker-list 1";
        QTest::addRow("docker status")
            << QByteArray("GET") << QByteArray("/docker/containers/ai_worker/status")
            << QByteArray()
            << QByteArray(J("{'id':'") + QByteArray(64, 'b') +
                          J("','name':'ai_worker','status':'running','state':'running','running':"
                            "true,'restarting':false,'paused':false,'image':'repo:tag','created':'"
                            "2024-01-01T00:00:00Z','started_at':'2024-01-01T00:00:01Z','finished_"
                            "at':'0001-01-01T00:00:00Z','exit_code':null}"))
            << "docker-status ai_worker";
        QTest::addRow("docker control")
            << QByteArray("POST") << QByteArray("/docker/containers/ai_worker")
            << J("{'action':'stop','timeout':3}")
            << J("{'name':'ai_worker','action':'stop','result':'ok'}")
            << "docker-control ai_worker stop 3";
        QTest::addRow("docker control default timeout")
            << QByteArray("POST") << QByteArray("/docker/containers/ai_worker")
            << J("{'action':'start'}") << J("{'name':'ai_worker','action':'start','result':'ok'}")
            << "docker-control ai_worker start 10";
        QTest::addRow("docker logs")
            << QByteArray("GET") << QByteArray("/docker/containers/ai_worker/logs?tail=7")
            << QByteArray()
            << J("{'container':'ai_worker','logs':'2024-01-01T00:00:00Z hi\\n','tail':7}")
            << "docker-logs ai_worker 7";
        QTest::addRow("healthz") << QByteArray("GET") << QByteArray("/healthz") << QByteArray()
                                 << J("{'status':'ok','agents':{'ai_worker':'reachable','"
                                      "perception':'unreachable'},'docker':'unavailable'}")
                                 << "health";
    }
    void exactBodies() {
        QFETCH(QByteArray, verb);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, expected);
        QFETCH(QString, call);
        ServiceStatus &s = m_backend->statusValue;
        s.container = "ai_worker";
        s.service = "svc";
        s.serviceLabel = "Label";
        s.name = "svc";
        s.raw = "up (pid 1234) 10 seconds";
        s.isUp = true;
        s.pid = 1234;
        s.uptimeSeconds = 10;
        const Answer a = this->call(verb, path, body);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, expected);
        QCOMPARE(m_backend->calls, QStringList{call});
    }

    void invalidInput_data() {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("field");
        const QByteArray svc = "/containers/ai_worker/services/svc";
        QTest::addRow("unknown container")
            << QByteArray("GET") << QByteArray("/containers/nope/services") << QByteArray() << 404
            << QString();
        QTest::addRow("unknown container status")
            << QByteArray("GET") << QByteArray("/containers/nope/services/svc/status")
            << QByteArray() << 404 << QString();
        QTest::addRow("service dot first")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/.hidden/status")
            << QByteArray() << 422 << "service";
        QTest::addRow("service slash")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/a%2Fb/status")
            << QByteArray() << 422 << "service";
        QTest::addRow("service dash first")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/-x/logs")
            << QByteArray() << 422 << "service";
        QTest::addRow("tail abc") << QByteArray("GET") << QByteArray(svc + "/logs?tail=abc")
                                  << QByteArray() << 422 << "tail";
        QTest::addRow("tail negative") << QByteArray("GET") << QByteArray(svc + "/logs?tail=-1")
                                       << QByteArray() << 422 << "tail";
        QTest::addRow("tail too big") << QByteArray("GET") << QByteArray(svc + "/logs?tail=100001")
                                      << QByteArray() << 422 << "tail";
        QTest::addRow("tail empty") << QByteArray("GET") << QByteArray(svc + "/logs?tail=")
                                    << QByteArray() << 422 << "tail";
        QTest::addRow("strip_ansi bogus")
            << QByteArray("GET") << QByteArray(svc + "/logs?strip_ansi=maybe") << QByteArray()
            << 422 << "strip_ansi";
        QTest::addRow("body not json")
            << QByteArray("POST") << svc << QByteArray("action=up") << 422 << "body";
        QTest::addRow("body array")
            << QByteArray("POST") << svc << QByteArray("[1]") << 422 << "body";
        QTest::addRow("body empty") << QByteArray("POST") << svc << QByteArray() << 422 << "body";
        QTest::addRow("action missing")
            << QByteArray("POST") << svc << QByteArray("{}") << 422 << "action";
        QTest::addRow("action bogus")
            << QByteArray("POST") << svc << J("{'action':'bogus'}") << 422 << "action";
        QTest::addRow("action number")
            << QByteArray("POST") << svc << J("{'action':1}") << 422 << "action";
        QTest::addRow("content empty") << QByteArray("PUT") << QByteArray(svc + "/run")
                                       << J("{'content':''}") << 422 << "content";
        QTest::addRow("content missing") << QByteArray("PUT") << QByteArray(svc + "/run")
                                         << J("{'text':'x'}") << 422 << "content";
        QTest::addRow("docker all bogus")
            << QByteArray("GET") << QByteArray("/docker/containers?all=yes") << QByteArray() << 422
            << "all";
        QTest::addRow("docker name")
            << QByteArray("GET") << QByteArray("/docker/containers/%2Fetc/status") << QByteArray()
            << 422 << "name";
        QTest::addRow("docker action") << QByteArray("POST") << QByteArray("/docker/containers/x")
                                       << J("{'action':'up'}") << 422 << "action";
        QTest::addRow("docker timeout negative")
            << QByteArray("POST") << QByteArray("/docker/containers/x")
            << J("{'action':'stop','timeout':-1}") << 422 << "timeout";
        QTest::addRow("docker timeout fraction")
            << QByteArray("POST") << QByteArray("/docker/containers/x")
            << J("{'action':'stop','timeout':1.5}") << 422 << "timeout";
        QTest::addRow("docker timeout string")
            << QByteArray("POST") << QByteArray("/docker/containers/x")
            << J("{'action':'stop','timeout':'5'}") << 422 << "timeout";
        QTest::addRow("docker logs tail")
            << QByteArray("GET") << QByteArray("/docker/containers/x/logs?tail=1e3") << QByteArray()
            << 422 << "tail";
        QTest::addRow("no route") << QByteArray("GET") << QByteArray("/nope") << QByteArray() << 404
                                  << QString();
        QTest::addRow("no route deep")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/svc/status/x")
            << QByteArray() << 404 << QString();
    }
    void invalidInput() {
        QFETCH(QByteArray, verb);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, field);
        const Answer a = call(verb, path, body);
        checkError(a, status);
        if (!field.isEmpty())
            QCOMPARE(a.json().value("detail").toObject().value("field").toString(), field);
        QVERIFY2(m_backend->calls.isEmpty(), qPrintable(m_backend->calls.join(u';')));
    }

    void openApiCoversEveryRoute() {
        const Answer a = call("GET", "/openapi.json");
        QCOMPARE(a.status, 200);
        const QJsonObject doc = a.json();
        QVERIFY(doc.value("openapi").toString().startsWith("3."));
        QCOMPARE(doc.value("info").toObject().value("version").toString(), QString(SM_VERSION));
        const QJsonObject paths = doc.value("paths").toObject();
        for (const Route &route : m_server->routes().routes()) {
            if (route.pattern.startsWith("/docs/assets"))
                continue;
            const QJsonObject item = paths.value(route.pattern).toObject();
            QVERIFY2(item.contains(QString::fromLatin1(route.method).toLower()),
                     qPrintable(route.method + ' ' + route.pattern));
        }
        QCOMPARE(paths.size(),
                 m_server->routes().routes().size() - 2); // no assets; run has GET+PUT
    }

    void docsPages() {
        for (const QByteArray path : {"/docs", "/redoc"}) {
            const Answer a = call("GET", path);
            QCOMPARE(a.status, 200);
            QCOMPARE(a.headers.value("content-type"), QByteArray("text/html; charset=utf-8"));
            QVERIFY(a.body.contains("/openapi.json"));
        }
        const bool haveAssets = QFile::exists(":/docs/assets/swagger-ui-bundle.js");
        const Answer js = call("GET", "/docs/assets/swagger-ui-bundle.js");
        if (haveAssets) {
            QCOMPARE(js.status, 200);
            QCOMPARE(js.headers.value("content-type"), QByteArray("application/javascript"));
            QVERIFY(js.body.size() > 100000);
            QCOMPARE(call("GET", "/docs/assets/redoc.standalone.js").status, 200);
            QVERIFY(call("GET", "/docs").body.contains("/docs/assets/swagger-ui-bundle.js"));
        } else {
            QCOMPARE(js.status, 404);
            QVERIFY(call("GET", "/docs").body.contains("scripts/bootstrap"));
        }
        checkError(call("GET", "/docs/assets/nope.js"), 404);
        checkError(call("GET", "/docs/assets/..%2Fpages%2Fredoc.html"), 404);
    }
};

QTEST_GUILESS_MAIN(HeadlessRestTest)
#include "headless_rest.moc"

// The REST routes against a scripted Backend: exact bodies (field names, types, order), input
// validation with the field named, and the self-describing routes (OpenAPI, docs pages).
#include "api/OpenApi.h"
#include "headless_fixture.h"

#include <QRegularExpression>

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
        QTest::addRow("deaths")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/svc/deaths")
            << QByteArray()
            << J("{'container':'ai_worker','service':'svc','deaths':[{'time':'2026-01-07T10:00:"
                 "02Z','exit_code':3,'signal':null},{'time':'2026-01-07T10:00:01Z','exit_code':"
                 "null,'signal':'SIGKILL'}]}")
            << "deaths ai_worker svc";
        QTest::addRow("deaths none")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/ros_bridge/deaths")
            << QByteArray() << J("{'container':'ai_worker','service':'ros_bridge','deaths':[]}")
            << "deaths ai_worker ros_bridge";
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
        ServiceStatus &s = m_backend->agents["ai_worker"].statuses.emplaceBack();
        s.container = "ai_worker";
        s.service = "svc";
        s.serviceLabel = "Label";
        s.name = "svc";
        s.raw = "up (pid 1234) 10 seconds";
        s.isUp = true;
        s.pid = 1234;
        s.uptimeSeconds = 10;
        m_backend->deathLists["ai_worker/svc"] = {
            {"2026-01-07T10:00:02Z", 3, std::nullopt},
            {"2026-01-07T10:00:01Z", std::nullopt, "SIGKILL"}};
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
        QTest::addRow("deaths unknown container")
            << QByteArray("GET") << QByteArray("/containers/nope/services/svc/deaths")
            << QByteArray() << 404 << QString();
        QTest::addRow("deaths bad name")
            << QByteArray("GET") << QByteArray("/containers/ai_worker/services/a..b/deaths")
            << QByteArray() << 422 << "service";
        QTest::addRow("deaths post") << QByteArray("POST") << QByteArray(svc + "/deaths")
                                     << QByteArray() << 405 << QString();
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
                                       << J("{'content':''}") << 400 << QString();
        QTest::addRow("content missing") << QByteArray("PUT") << QByteArray(svc + "/run")
                                         << J("{'text':'x'}") << 422 << "content";
        QTest::addRow("docker all bogus")
            << QByteArray("GET") << QByteArray("/docker/containers?all=maybe") << QByteArray()
            << 422 << "all";
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
            << J("{'action':'stop','timeout':'five'}") << 422 << "timeout";
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
            QCOMPARE(errorshape::invalidField(a.json()), field);
        QVERIFY2(m_backend->calls.isEmpty(), qPrintable(m_backend->calls.join(u';')));
    }

    // An agent without the deaths route: its 501 reaches the client in our envelope.
    void deathsFromAnOlderAgent() {
        m_backend->deathsError = ApiError::notImplemented(
            "Agent for container 'ai_worker' cannot list deaths: its s6-agent is older than this "
            "system-managerd's; update it");
        const Answer a = call("GET", "/containers/ai_worker/services/svc/deaths");
        checkError(a, 501);
        QCOMPARE(a.json().value("error").toString(), m_backend->deathsError->message);
        QVERIFY(a.json().value("detail").isNull());
    }

    // The document is generated from the route table: every route is described (or hidden on
    // purpose, as FastAPI hides its docs pages), and every described operation is a route.
    void openApiCoversEveryRoute() {
        const Answer a = call("GET", "/openapi.json");
        QCOMPARE(a.status, 200);
        const QJsonObject doc = a.json();
        QVERIFY(doc.value("openapi").toString().startsWith("3."));
        QCOMPARE(doc.value("info").toObject().value("version").toString(), QString(SM_VERSION));
        const QJsonObject paths = doc.value("paths").toObject();
        int described = 0;
        for (const Route &route : m_server->routes().routes()) {
            const QString what = QString::fromLatin1(route.method) + ' ' + route.pattern;
            if (route.doc.hidden) {
                QVERIFY2(!paths.contains(route.pattern), qPrintable(what));
                continue;
            }
            QVERIFY2(route.doc.name && route.doc.tag && route.doc.summary &&
                         QByteArray(route.doc.description).size() > 10,
                     qPrintable(what + " has no description"));
            const QJsonObject op = paths.value(route.pattern)
                                       .toObject()
                                       .value(QString::fromLatin1(route.method).toLower())
                                       .toObject();
            QVERIFY2(!op.isEmpty(), qPrintable(what));
            QCOMPARE(op.value("operationId").toString(), operationId(route));
            ++described;
        }
        int operations = 0;
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            for (const QString &method : it.value().toObject().keys()) {
                const auto match =
                    m_server->routes().find(method.toUpper().toLatin1(), it.key().toUtf8());
                QVERIFY2(match.route && match.route->pattern == it.key(),
                         qPrintable(method + ' ' + it.key() + " is described but no route"));
                ++operations;
            }
        }
        QCOMPARE(operations, described);

        // Every schema a document refers to exists.
        const QJsonObject schemas = doc.value("components").toObject().value("schemas").toObject();
        const QRegularExpression ref(QStringLiteral("\"#/components/schemas/([A-Za-z0-9]+)\""));
        for (auto m = ref.globalMatch(QString::fromUtf8(a.body)); m.hasNext();) {
            const QString name = m.next().captured(1);
            QVERIFY2(schemas.contains(name), qPrintable(name));
        }
    }

    // The original's operations, as its own /openapi.json listed them: clients generated from
    // that document keep their method names, paths, tags, parameters and schema names.
    void openApiKeepsTheOriginalsOperations_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("operation");
        QTest::addColumn<QString>("tag");
        QTest::addColumn<QStringList>("parameters"); // the original's, in order: name@in
        QTest::addColumn<QString>("response");
        QTest::addColumn<QString>("body");
        const QString c = "/containers/{container}";
        const QString s = c + "/services/{service}";
        const QStringList cs{"container@path", "service@path"};
        QTest::newRow("root") << "get"
                              << "/"
                              << "root__get"
                              << "root" << QStringList() << ""
                              << "";
        QTest::newRow("containers") << "get"
                                    << "/containers"
                                    << "list_containers_containers_get"
                                    << "containers" << QStringList() << "ContainerListResponse"
                                    << "";
        QTest::newRow("services") << "get" << c + "/services"
                                  << "list_services_containers__container__services_get"
                                  << "services" << QStringList{"container@path"}
                                  << "ServiceListResponse"
                                  << "";
        QTest::newRow("statuses")
            << "get" << c + "/services/status"
            << "get_all_services_status_containers__container__services_status_get"
            << "services" << QStringList{"container@path"} << "ServiceStatusListResponse"
            << "";
        QTest::newRow("control") << "post" << s
                                 << "control_service_containers__container__services__service__post"
                                 << "services" << cs << "ServiceControlResponse"
                                 << "ServiceActionRequest";
        QTest::newRow("logs")
            << "get" << s + "/logs"
            << "get_service_logs_containers__container__services__service__logs_get"
            << "services" << (cs + QStringList{"tail@query"}) << "ServiceLogsResponse"
            << "";
        QTest::newRow("run")
            << "get" << s + "/run"
            << "get_service_run_script_containers__container__services__service__run_get"
            << "services" << cs << "ServiceRunScriptResponse"
            << "";
        QTest::newRow("put run")
            << "put" << s + "/run"
            << "update_service_run_script_containers__container__services__service__run_put"
            << "services" << cs << "ServiceRunScriptResponse"
            << "ServiceRunScriptUpdateRequest";
        QTest::newRow("status")
            << "get" << s + "/status"
            << "get_service_status_containers__container__services__service__status_get"
            << "services" << cs << "ServiceStatusResponse"
            << "";
        QTest::newRow("docker list")
            << "get"
            << "/docker/containers"
            << "list_docker_containers_docker_containers_get"
            << "docker" << QStringList{"all@query"} << "DockerContainerListResponse"
            << "";
        QTest::newRow("docker control")
            << "post"
            << "/docker/containers/{name}"
            << "control_docker_container_docker_containers__name__post"
            << "docker" << QStringList{"name@path"} << "DockerContainerActionResponse"
            << "DockerContainerActionRequest";
        QTest::newRow("docker logs")
            << "get"
            << "/docker/containers/{name}/logs"
            << "get_docker_container_logs_docker_containers__name__logs_get"
            << "docker" << QStringList{"name@path", "tail@query"} << "DockerContainerLogsResponse"
            << "";
        QTest::newRow("docker status")
            << "get"
            << "/docker/containers/{name}/status"
            << "get_docker_container_status_docker_containers__name__status_get"
            << "docker" << QStringList{"name@path"} << "DockerContainerStatus"
            << "";
    }
    void openApiKeepsTheOriginalsOperations() {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QString, operation);
        QFETCH(QString, tag);
        QFETCH(QStringList, parameters);
        QFETCH(QString, response);
        QFETCH(QString, body);
        const QJsonObject doc = call("GET", "/openapi.json").json();
        const QJsonObject op =
            doc.value("paths").toObject().value(path).toObject().value(method).toObject();
        QVERIFY2(!op.isEmpty(), qPrintable(method + ' ' + path));
        QCOMPARE(op.value("operationId").toString(), operation);
        QCOMPARE(op.value("tags").toArray(), QJsonArray{tag});
        QStringList actual;
        for (const QJsonValue &p : op.value("parameters").toArray())
            actual.append(p.toObject().value("name").toString() + '@' +
                          p.toObject().value("in").toString());
        QCOMPARE(actual.mid(0, parameters.size()), parameters); // ours may follow
        const auto schemaOf = [](const QJsonObject &content) {
            return content.value("application/json")
                .toObject()
                .value("schema")
                .toObject()
                .value("$ref")
                .toString()
                .section('/', -1);
        };
        if (!response.isEmpty())
            QCOMPARE(schemaOf(op.value("responses")
                                  .toObject()
                                  .value("200")
                                  .toObject()
                                  .value("content")
                                  .toObject()),
                     response);
        QCOMPARE(schemaOf(op.value("requestBody").toObject().value("content").toObject()), body);
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

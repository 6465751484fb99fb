#include "config/SystemConfig.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sm;

namespace {

QProcessEnvironment env(std::initializer_list<QPair<QString, QString>> vars = {}) {
    QProcessEnvironment e;
    for (const auto &[k, v] : vars)
        e.insert(k, v);
    return e;
}

ConfigLoad load(const QByteArray &yaml, const QProcessEnvironment &e = env()) {
    return loadConfigText(yaml, QStringLiteral("test.yml"), e);
}

} // namespace

class ConfigTest final : public QObject {
    Q_OBJECT
private slots:
    void repositoryExampleLoadsUnchanged() {
        const auto r = loadConfigFile(QStringLiteral(SM_CORE_SOURCE_DIR "/config.yml"), env());
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        const SystemConfig &c = *r.config;
        QCOMPARE(c.containers.size(), 2);
        QCOMPARE(c.containers[0].name, QStringLiteral("ai_worker"));
        QCOMPARE(c.containers[0].socketPath, QStringLiteral("/agents/ai_worker/s6_agent.sock"));
        QCOMPARE(c.containers[0].labelFor("ros_bridge"), QStringLiteral("ROS Bridge"));
        QCOMPARE(c.containers[0].labelFor("other"), QStringLiteral("other"));
        QCOMPARE(c.containers[1].services.size(), 0);
        QVERIFY(c.warnings.isEmpty());
        QCOMPARE(c.containerInfos().at(1),
                 (ContainerInfo{"perception", "/agents/perception/s6_agent.sock"}));
    }

    // The example of the original service's README, byte for byte in form: a mapping of
    // container name to settings, quoted strings, labels for some services.
    void originalReadmeExampleLoads() {
        const auto r = load("containers:\n"
                            "  ai_worker:\n"
                            "    socket_path: \"/agents/ai_worker/s6_agent.sock\"\n"
                            "    services:\n"
                            "      - id: \"ffw_bg2_follower_ai\"\n"
                            "        label: \"FFW BG2 Follower AI\"\n"
                            "      - id: \"s6-agent\"\n"
                            "        label: \"s6-agent\"\n");
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        const SystemConfig &c = *r.config;
        QCOMPARE(c.containers.size(), 1);
        QCOMPARE(c.containers[0].name, QStringLiteral("ai_worker"));
        QCOMPARE(c.containers[0].socketPath, QStringLiteral("/agents/ai_worker/s6_agent.sock"));
        QCOMPARE(c.containers[0].services,
                 (QList<ServiceInfo>{{"ffw_bg2_follower_ai", "FFW BG2 Follower AI"},
                                     {"s6-agent", "s6-agent"}}));
        QVERIFY(c.warnings.isEmpty());
    }

    // The old compose layout: CONFIG_FILE=/app/config.yml, one socket per container under
    // /agents/<name>/; the mapping keeps file order, which is not alphabetical here.
    void oldComposeLayout() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("containers:\n"
                "  zeta:\n"
                "    socket_path: /agents/zeta/s6_agent.sock\n"
                "  ai_worker:\n"
                "    socket_path: /agents/ai_worker/s6_agent.sock\n"
                "    services: []\n");
        f.close();
        const QProcessEnvironment e = env({{"CONFIG_FILE", path}});
        const QString located = locateConfigFile(QString(), e);
        QCOMPARE(located, path);
        const auto r = loadConfigFile(located, e);
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        QCOMPARE(r.config->containerInfos(),
                 (QList<ContainerInfo>{{"zeta", "/agents/zeta/s6_agent.sock"},
                                       {"ai_worker", "/agents/ai_worker/s6_agent.sock"}}));
    }

    void mappingFormWarnsAboutUnknownKeys() {
        const auto r = load("containers:\n"
                            "  a:\n"
                            "    socket_path: /a\n"
                            "    sockt: /b\n");
        QVERIFY(r.ok());
        QCOMPARE(r.config->warnings,
                 QStringList{"test.yml:4: unknown key 'sockt' in containers.a (ignored)"});
    }

    void oldServiceConfigAndDefaults() {
        const auto r = load("containers:\n"
                            "  - name: a\n"
                            "    socket_path: /run/a.sock\n"
                            "    services:\n"
                            "      - id: x\n"
                            "      - {id: y, label: Why}\n");
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        const SystemConfig &c = *r.config;
        QCOMPARE(c.containers[0].services, (QList<ServiceInfo>{{"x", "x"}, {"y", "Why"}}));
        QCOMPARE(c.docker.socketPath, QStringLiteral("/var/run/docker.sock"));
        QVERIFY(c.docker.mayControl("anything"));
        QCOMPARE(c.api.listenHost, QStringLiteral("0.0.0.0"));
        QCOMPARE(c.api.listenPort, quint16(8081));
        QCOMPARE(c.api.corsOrigins, QStringList{"*"});
        QVERIFY(c.api.tokens.isEmpty());
        QCOMPARE(c.api.requestTimeoutMs, 5000);
        QCOMPARE(c.api.metricsOpen, false);
        QCOMPARE(c.monitor.pollIntervalMs, 1000);
        QCOMPARE(c.monitor.push, true);
    }

    void allSections() {
        QTemporaryDir dir;
        QFile tokenFile(dir.filePath("ui.token"));
        QVERIFY(tokenFile.open(QIODevice::WriteOnly));
        tokenFile.write("s3cret\n");
        tokenFile.close();
        QFile config(dir.filePath("config.yml"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("containers: []\n"
                     "docker:\n"
                     "  socket_path: /run/podman.sock\n"
                     "  control: [ai_worker]\n"
                     "api:\n"
                     "  listen: 127.0.0.1:9000\n"
                     "  cors_origins: [\"http://ui:3000\"]\n"
                     "  request_timeout_ms: 2500\n"
                     "  metrics_open: true\n"
                     "  tokens:\n"
                     "    - {name: ui, token_file: ui.token, role: operator}\n"
                     "    - {name: wall, token: change-me, role: viewer}\n"
                     "monitor:\n"
                     "  poll_interval_ms: 250\n"
                     "  push: false\n");
        config.close();
        const auto r = loadConfigFile(config.fileName(), env({{"DOCKER_HOST", "unix:///x.sock"}}));
        QVERIFY2(r.ok(), qPrintable(r.error.toString()));
        const SystemConfig &c = *r.config;
        QCOMPARE(c.docker.socketPath, QStringLiteral("/run/podman.sock")); // file beats env
        QVERIFY(c.docker.mayControl("ai_worker"));
        QVERIFY(!c.docker.mayControl("db"));
        QCOMPARE(c.api.listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(c.api.listenPort, quint16(9000));
        QCOMPARE(c.api.corsOrigins, QStringList{"http://ui:3000"});
        QCOMPARE(c.api.requestTimeoutMs, 2500);
        QCOMPARE(c.api.metricsOpen, true);
        QCOMPARE(c.api.tokens.size(), 2);
        QCOMPARE(c.api.tokens[0].token, QStringLiteral("s3cret"));
        QCOMPARE(c.api.tokens[0].role, Role::Operator);
        QCOMPARE(c.api.tokens[1].token, QStringLiteral("change-me"));
        QCOMPARE(c.api.tokens[1].role, Role::Viewer);
        QCOMPARE(c.monitor.pollIntervalMs, 250);
        QCOMPARE(c.monitor.push, false);
        QVERIFY(c.warnings.isEmpty());
    }

    void dockerHostFromEnvironment() {
        auto r = load("containers: []\n", env({{"DOCKER_HOST", "unix:///run/user/1/podman.sock"}}));
        QCOMPARE(r.config->docker.socketPath, QStringLiteral("/run/user/1/podman.sock"));
        r = load("containers: []\n", env({{"DOCKER_HOST", "tcp://1.2.3.4:2375"}}));
        QCOMPARE(r.config->docker.socketPath, QStringLiteral("/var/run/docker.sock"));
        QCOMPARE(r.config->warnings.size(), 1);
    }

    void unknownKeysWarnWithLine() {
        const auto r = load("containers:\n"
                            "  - name: a\n"
                            "    socket_path: /a\n"
                            "    sockt: typo\n"
                            "apii: {}\n"
                            "api:\n"
                            "  listen: 127.0.0.1:1\n"
                            "  cors: []\n");
        QVERIFY(r.ok());
        QCOMPARE(r.config->warnings,
                 (QStringList{"test.yml:4: unknown key 'sockt' in containers[0] (ignored)",
                              "test.yml:5: unknown key 'apii' in the configuration (ignored)",
                              "test.yml:8: unknown key 'cors' in api (ignored)"}));
    }

    void emptyFileIsNoContainers() {
        const auto r = load("");
        QVERIFY(r.ok());
        QVERIFY(r.config->containers.isEmpty());
        QCOMPARE(r.config->warnings, QStringList{"test.yml: no containers configured"});
    }

    void errors_data() {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        const QByteArray ok = "containers:\n  - name: a\n    socket_path: /a\n";
        QTest::addRow("top level list") << QByteArray("- a\n") << 1 << 1 << "must be a mapping";
        QTest::addRow("containers scalar") << QByteArray("containers: 5\n") << 1 << 13
                                           << "containers must be a mapping of container "
                                              "name to settings (or a list), not a scalar";
        QTest::addRow("container not a map") << QByteArray("containers:\n  - just-a-name\n") << 2
                                             << 5 << "containers[0] must be a mapping";
        QTest::addRow("missing name") << QByteArray("containers:\n  - socket_path: /a\n") << 2 << 5
                                      << "containers[0] has no 'name'";
        QTest::addRow("missing socket_path") << QByteArray("containers:\n  - name: a\n") << 2 << 5
                                             << "containers[0] has no 'socket_path'";
        QTest::addRow("name is a list")
            << QByteArray("containers:\n  - name: [a]\n    socket_path: /a\n") << 2 << 11
            << "containers[0].name must be a string, not a list";
        QTest::addRow("empty socket_path")
            << QByteArray("containers:\n  - name: a\n    socket_path: ''\n") << 3 << 18
            << "containers[0].socket_path must not be empty";
        QTest::addRow("duplicate name") << ok + "  - name: a\n    socket_path: /b\n"
                                        << 4 << 11 << "duplicate container name 'a'";
        const QByteArray map = "containers:\n  a:\n    socket_path: /a\n";
        QTest::addRow("map: settings not a map")
            << QByteArray("containers:\n  a: /a.sock\n") << 2 << 6
            << "containers.a must be a mapping, not a scalar";
        QTest::addRow("map: no settings")
            << QByteArray("containers:\n  a:\n  b:\n    socket_path: /b\n") << 2 << 3
            << "containers.a has no settings: it needs 'socket_path'";
        QTest::addRow("map: missing socket_path")
            << QByteArray("containers:\n  a:\n    services: []\n") << 3 << 5
            << "containers.a has no 'socket_path'";
        QTest::addRow("map: empty socket_path")
            << QByteArray("containers:\n  a:\n    socket_path: \"\"\n") << 3 << 18
            << "containers.a.socket_path must not be empty";
        QTest::addRow("map: name is a list")
            << QByteArray("containers:\n  [a]:\n    socket_path: /a\n") << 2 << 3
            << "a container name must be a string, not a list";
        QTest::addRow("map: duplicate name") << map + "  a:\n    socket_path: /b\n"
                                             << 4 << 3 << "duplicate container name 'a'";
        QTest::addRow("map: services not a list")
            << map + "    services: {id: x}\n"
            << 4 << 15 << "containers.a.services must be a list";
        QTest::addRow("map: service without id")
            << map + "    services:\n      - label: X\n"
            << 5 << 9 << "containers.a.services[0] has no 'id'";
        QTest::addRow("mixed: name inside a mapping entry")
            << QByteArray("containers:\n  a:\n    name: a\n    socket_path: /a\n") << 3 << 11
            << "containers.a mixes the two forms of containers";
        QTest::addRow("mixed: mapping entry inside the list")
            << ok + "  - b:\n      socket_path: /b\n"
            << 4 << 5 << "containers[1] mixes the two forms of containers";
        QTest::addRow("services not a list") << ok + "    services: {id: x}\n"
                                             << 4 << 15 << "containers[0].services must be a list";
        QTest::addRow("service without id") << ok + "    services:\n      - label: X\n"
                                            << 5 << 9 << "containers[0].services[0] has no 'id'";
        QTest::addRow("bad role")
            << ok + "api:\n  tokens:\n    - {name: t, token: x, role: admin}\n"
            << 6 << 33 << "api.tokens[0].role must be 'viewer' or 'operator', not 'admin'";
        QTest::addRow("token missing") << ok + "api:\n  tokens:\n    - {name: t, role: viewer}\n"
                                       << 6 << 7 << "api.tokens[0] needs 'token' or 'token_file'";
        QTest::addRow("token file missing")
            << ok + "api:\n  tokens:\n    - {name: t, token_file: /nonexistent/t, role: viewer}\n"
            << 6 << 29 << "cannot read token_file /nonexistent/t";
        QTest::addRow("bad listen") << ok + "api:\n  listen: 8081\n"
                                    << 5 << 11 << "api.listen must be HOST:PORT";
        QTest::addRow("bad listen port") << ok + "api:\n  listen: 0.0.0.0:99999\n"
                                         << 5 << 11 << "api.listen must be HOST:PORT";
        QTest::addRow("timeout not a number")
            << ok + "api:\n  request_timeout_ms: soon\n"
            << 5 << 23 << "api.request_timeout_ms must be an integer";
        QTest::addRow("timeout zero") << ok + "api:\n  request_timeout_ms: 0\n"
                                      << 5 << 23 << "api.request_timeout_ms must be between 1 and";
        QTest::addRow("poll interval list")
            << ok + "monitor:\n  poll_interval_ms: [1]\n"
            << 5 << 21 << "monitor.poll_interval_ms must be an integer";
        QTest::addRow("metrics_open not a boolean")
            << ok + "api:\n  metrics_open: maybe\n"
            << 5 << 17 << "api.metrics_open must be true or false";
        QTest::addRow("push not a boolean") << ok + "monitor:\n  push: yes\n"
                                            << 5 << 9 << "monitor.push must be true or false";
        QTest::addRow("control not a list") << ok + "docker:\n  control: all\n"
                                            << 5 << 12 << "docker.control must be a list";
        QTest::addRow("yaml syntax")
            << QByteArray("containers: [a\n") << 2 << 1 << "end of sequence";
        QTest::addRow("yaml tab") << QByteArray("containers:\n\t- name: a\n") << 2 << 2 << "";
    }
    void errors() {
        QFETCH(QByteArray, yaml);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        const auto r = load(yaml);
        QVERIFY(!r.ok());
        QCOMPARE(r.error.file, QStringLiteral("test.yml"));
        QVERIFY2(r.error.message.contains(message), qPrintable(r.error.message));
        QCOMPARE(r.error.line, line);
        QCOMPARE(r.error.column, column);
        QVERIFY(r.error.toString().startsWith(
            QStringLiteral("test.yml:%1:%2: ").arg(line).arg(column)));
    }

    // A relative token_file is looked for next to the config; a blank one is refused, or
    // every request would be checked against an empty token.
    void tokenFileErrors_data() {
        QTest::addColumn<bool>("exists");
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("message");
        QTest::addRow("missing") << false << QByteArray() << "cannot read token_file %1/a.token: ";
        QTest::addRow("empty") << true << QByteArray() << "token_file %1/a.token is empty";
        QTest::addRow("blank") << true << QByteArray(" \n\t\n") << "token_file %1/a.token is empty";
    }
    void tokenFileErrors() {
        QFETCH(bool, exists);
        QFETCH(QByteArray, contents);
        QFETCH(QString, message);
        QTemporaryDir dir;
        if (exists) {
            QFile token(dir.filePath("a.token"));
            QVERIFY(token.open(QIODevice::WriteOnly));
            token.write(contents);
        }
        QFile config(dir.filePath("config.yml"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("containers: []\n"
                     "api:\n"
                     "  tokens:\n"
                     "    - {name: ui, token_file: a.token, role: viewer}\n");
        config.close();
        const auto r = loadConfigFile(config.fileName(), env());
        QVERIFY(!r.ok());
        QCOMPARE(r.error.line, 4);
        QCOMPARE(r.error.column, 30);
        QVERIFY2(r.error.message.startsWith(message.arg(dir.path())), qPrintable(r.error.message));
    }

    void missingFile() {
        const auto r = loadConfigFile(QStringLiteral("/nonexistent/config.yml"), env());
        QVERIFY(!r.ok());
        QCOMPARE(r.error.line, 0);
        QVERIFY(r.error.toString().startsWith("/nonexistent/config.yml: cannot read"));
    }

    void locate() {
        QCOMPARE(locateConfigFile("/a.yml", env({{"CONFIG_FILE", "/b.yml"}})),
                 QStringLiteral("/a.yml"));
        QCOMPARE(locateConfigFile({}, env({{"CONFIG_FILE", "/b.yml"}})), QStringLiteral("/b.yml"));
        QCOMPARE(locateConfigFile({}, env()), QStringLiteral("./config.yml"));
    }

    void listenAddress_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addRow("any") << "0.0.0.0:8081" << true << "0.0.0.0" << 8081;
        QTest::addRow("localhost") << "localhost:0" << true << "localhost" << 0;
        QTest::addRow("ipv6") << "[::1]:80" << true << "::1" << 80;
        QTest::addRow("ipv6 bare") << "::1:80" << false << "" << 0;
        QTest::addRow("no port") << "127.0.0.1" << false << "" << 0;
        QTest::addRow("no host") << ":80" << false << "" << 0;
        QTest::addRow("name") << "robot.local:80" << false << "" << 0;
        QTest::addRow("port word") << "127.0.0.1:http" << false << "" << 0;
    }
    void listenAddress() {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, host);
        QFETCH(int, port);
        const auto a = parseListenAddress(text);
        QCOMPARE(a.has_value(), valid);
        if (valid) {
            QCOMPARE(a->first, host);
            QCOMPARE(int(a->second), port);
        }
    }
};

QTEST_GUILESS_MAIN(ConfigTest)
#include "core_config.moc"

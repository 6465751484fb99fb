// system-managerd against the original Python service's contract: the original's scenario
// (container `ai_worker` with a real s6 tree and the project's s6-agent, container `gone`
// whose socket does not exist, no Docker socket) replayed request by request, in order.
// Each answer must cover the original's: the same status, the same keys in the same order at
// every level (ours may add keys only after them), the same JSON types and the same fixed
// values. Where the original answered 503 for an agent's 404, we answer 404 on purpose.
#include "AgentProcess.h"
#include "S6Tree.h"
#include "daemon_support.h"

#include <QJsonArray>

#include <optional>
#include <utility>

namespace {

// A JSON value that keeps the order of object members as written.
struct Node {
    enum Kind { Null, Bool, Int, Double, String, Array, Object };
    Kind kind = Null;
    bool boolean = false;
    qint64 integer = 0;
    double number = 0;
    QString string;
    QList<Node> items;
    QList<std::pair<QString, Node>> members;
};

class Parser {
public:
    explicit Parser(const QByteArray &text)
        : m_text(text) {}

    std::optional<Node> document(QString *error) {
        std::optional<Node> node = value();
        skipSpace();
        if (node && m_pos != m_text.size())
            node.reset();
        if (!node && error)
            *error = QStringLiteral("not JSON at byte %1: %2")
                         .arg(m_pos)
                         .arg(QString::fromUtf8(m_text.left(200)));
        return node;
    }

private:
    void skipSpace() {
        while (m_pos < m_text.size() && QByteArrayView(" \t\r\n").contains(m_text[m_pos]))
            ++m_pos;
    }
    bool eat(char c) {
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool literal(QByteArrayView word) {
        if (QByteArrayView(m_text).sliced(m_pos).startsWith(word)) {
            m_pos += word.size();
            return true;
        }
        return false;
    }

    std::optional<QString> string() {
        if (!eat('"'))
            return std::nullopt;
        QByteArray utf8;
        QString out;
        auto flush = [&] {
            out += QString::fromUtf8(utf8);
            utf8.clear();
        };
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos++];
            if (c == '"') {
                flush();
                return out;
            }
            if (c != '\\') {
                utf8 += c;
                continue;
            }
            if (m_pos >= m_text.size())
                return std::nullopt;
            const char e = m_text[m_pos++];
            switch (e) {
            case '"':
                utf8 += '"';
                break;
            case '\\':
                utf8 += '\\';
                break;
            case '/':
                utf8 += '/';
                break;
            case 'b':
                utf8 += '\b';
                break;
            case 'f':
                utf8 += '\f';
                break;
            case 'n':
                utf8 += '\n';
                break;
            case 'r':
                utf8 += '\r';
                break;
            case 't':
                utf8 += '\t';
                break;
            case 'u': {
                if (m_pos + 4 > m_text.size())
                    return std::nullopt;
                bool ok = false;
                const ushort unit = m_text.mid(m_pos, 4).toUShort(&ok, 16);
                if (!ok)
                    return std::nullopt;
                m_pos += 4;
                flush();
                out += QChar(unit); // surrogate halves pair up in QString
                break;
            }
            default:
                return std::nullopt;
            }
        }
        return std::nullopt;
    }

    std::optional<Node> value() {
        skipSpace();
        if (m_pos >= m_text.size())
            return std::nullopt;
        Node node;
        const char c = m_text[m_pos];
        if (c == '{') {
            ++m_pos;
            node.kind = Node::Object;
            if (eat('}'))
                return node;
            do {
                std::optional<QString> key = string();
                if (!key || !eat(':'))
                    return std::nullopt;
                std::optional<Node> member = value();
                if (!member)
                    return std::nullopt;
                node.members.append({*key, *member});
            } while (eat(','));
            return eat('}') ? std::optional<Node>(node) : std::nullopt;
        }
        if (c == '[') {
            ++m_pos;
            node.kind = Node::Array;
            if (eat(']'))
                return node;
            do {
                std::optional<Node> item = value();
                if (!item)
                    return std::nullopt;
                node.items.append(*item);
            } while (eat(','));
            return eat(']') ? std::optional<Node>(node) : std::nullopt;
        }
        if (c == '"') {
            std::optional<QString> s = string();
            if (!s)
                return std::nullopt;
            node.kind = Node::String;
            node.string = *s;
            return node;
        }
        if (literal("null"))
            return node;
        if (literal("true") || literal("false")) {
            node.kind = Node::Bool;
            node.boolean = m_text[m_pos - 1] == 'e' && m_text[m_pos - 2] == 'u';
            return node;
        }
        const qsizetype start = m_pos;
        while (m_pos < m_text.size() && QByteArrayView("+-0123456789.eE").contains(m_text[m_pos]))
            ++m_pos;
        const QByteArray number = m_text.mid(start, m_pos - start);
        bool ok = false;
        if (number.contains('.') || number.contains('e') || number.contains('E')) {
            node.kind = Node::Double;
            node.number = number.toDouble(&ok);
        } else {
            node.kind = Node::Int;
            node.integer = number.toLongLong(&ok);
        }
        return ok ? std::optional<Node>(node) : std::nullopt;
    }

    const QByteArray m_text;
    qsizetype m_pos = 0;
};

QString kindName(const Node &n) {
    switch (n.kind) {
    case Node::Null:
        return "null";
    case Node::Bool:
        return n.boolean ? "true" : "false";
    case Node::Int:
        return QString::number(n.integer);
    case Node::Double:
        return QString::number(n.number);
    case Node::String:
        return '"' + n.string.left(80) + '"';
    case Node::Array:
        return QStringLiteral("an array of %1").arg(n.items.size());
    case Node::Object: {
        QStringList keys;
        for (const auto &m : n.members)
            keys.append(m.first);
        return "{" + keys.join(',') + "}";
    }
    }
    return {};
}

// "<int>", "<str|null>", ...: the JSON types a placeholder allows (the capture's Python type
// names too: NoneType, float, dict, list).
bool placeholderAllows(const QString &placeholder, const Node &actual) {
    const QStringList types = placeholder.mid(1, placeholder.size() - 2).split('|');
    for (const QString &t : types) {
        if ((t == "int" && actual.kind == Node::Int) ||
            (t == "float" && (actual.kind == Node::Double || actual.kind == Node::Int)) ||
            (t == "str" && actual.kind == Node::String) ||
            (t == "bool" && actual.kind == Node::Bool) ||
            ((t == "null" || t == "NoneType") && actual.kind == Node::Null) ||
            ((t == "dict" || t == "object") && actual.kind == Node::Object) ||
            ((t == "list" || t == "array") && actual.kind == Node::Array))
            return true;
    }
    return false;
}

bool isPlaceholder(const Node &n) {
    return n.kind == Node::String && n.string.size() > 2 && n.string.startsWith('<') &&
           n.string.endsWith('>');
}

// Does `actual` cover `expected`?
// - a placeholder string matches any value of its types;
// - an object: the expected keys are the first keys of the actual object, in that order, with
//   matching values; further keys may follow. An empty expected object stands for itself.
// - an array: the expected items match the first actual items; an expected array of fewer
//   than three items is the whole list (the capture keeps the first three).
// - anything else must be equal, with the same type.
bool covers(const Node &expected, const Node &actual, const QString &where, QString *why) {
    auto fail = [&](const QString &what) {
        *why = QStringLiteral("%1: expected %2, got %3")
                   .arg(where.isEmpty() ? QStringLiteral("$") : where, what, kindName(actual));
        return false;
    };
    if (isPlaceholder(expected))
        return placeholderAllows(expected.string, actual) || fail(expected.string);
    if (expected.kind != actual.kind &&
        !(expected.kind == Node::Double && actual.kind == Node::Int))
        return fail(kindName(expected));
    switch (expected.kind) {
    case Node::Null:
        return true;
    case Node::Bool:
        return expected.boolean == actual.boolean || fail(kindName(expected));
    case Node::Int:
        return expected.integer == actual.integer || fail(kindName(expected));
    case Node::Double:
        return qFuzzyCompare(expected.number,
                             actual.kind == Node::Int ? double(actual.integer) : actual.number) ||
               fail(kindName(expected));
    case Node::String:
        return expected.string == actual.string || fail(kindName(expected));
    case Node::Array: {
        if (expected.items.size() < 3 ? actual.items.size() != expected.items.size()
                                      : actual.items.size() < expected.items.size())
            return fail(QStringLiteral("an array of %1%2")
                            .arg(expected.items.size() < 3 ? "" : "at least ")
                            .arg(expected.items.size()));
        for (qsizetype i = 0; i < expected.items.size(); ++i)
            if (!covers(expected.items[i], actual.items[i], where + QStringLiteral("[%1]").arg(i),
                        why))
                return false;
        return true;
    }
    case Node::Object: {
        if (expected.members.isEmpty())
            return actual.members.isEmpty() || fail("{}");
        for (qsizetype i = 0; i < expected.members.size(); ++i) {
            const QString &key = expected.members[i].first;
            if (i >= actual.members.size() || actual.members[i].first != key)
                return fail(QStringLiteral("key '%1' at position %2 in %3")
                                .arg(key)
                                .arg(i)
                                .arg(kindName(expected)));
            if (!covers(expected.members[i].second, actual.members[i].second, where + '.' + key,
                        why))
                return false;
        }
        return true;
    }
    }
    return true;
}

// The fields this project's agent adds to a status, after the original's eight.
constexpr char kStatusExtension[] =
    R"(,"normally_up":"<bool>","want_up":"<bool>","ready":"<bool>","paused":"<bool>",)"
    R"("exit_code":"<int|null>","signal":"<str|null>","since":"<str|null>")";

constexpr char kOurError[] = R"({"error":"<str>","detail":null})";

const char kSleep[] = "#!/bin/sh\nexec sleep 100000\n";
const char kPlainBefore[] = "#!/bin/sh\n# plain00 as installed\nexec sleep 100000\n";
const char kPlainWritten[] = "#!/bin/sh\nexec sleep 100000\n";

} // namespace

class CompatOriginalTest final : public QObject {
    Q_OBJECT

private:
    // Made in initTestCase, so that listing functions or data tags creates nothing.
    std::unique_ptr<S6Tree> m_treeHolder;
    std::unique_ptr<AgentProcess> m_agentHolder;
    std::unique_ptr<QTemporaryDir> m_tmpHolder;
    std::unique_ptr<DaemonProcess> m_daemonHolder;
    std::unique_ptr<DaemonClient> m_client;

    S6Tree &tree() const { return *m_treeHolder; }
    AgentProcess &agent() const { return *m_agentHolder; }
    DaemonProcess &daemon() const { return *m_daemonHolder; }

    QString plainRunPath() const { return tree().serviceDir("plain00") + "/run"; }
    QByteArray plainRun() const {
        QFile file(plainRunPath());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
    }

    static std::optional<Node> parse(const QByteArray &text, QString *error) {
        return Parser(text).document(error);
    }

private Q_SLOTS:
    void initTestCase() {
        m_treeHolder = std::make_unique<S6Tree>();
        m_agentHolder = std::make_unique<AgentProcess>();
        m_tmpHolder = std::make_unique<QTemporaryDir>();
        m_daemonHolder = std::make_unique<DaemonProcess>();
        S6Tree &s6 = tree();
        QTemporaryDir &tmp = *m_tmpHolder;
        QVERIFY(s6.isValid());
        QVERIFY(tmp.isValid());
        S6Tree::ServiceOptions down;
        down.downFile = true;
        S6Tree::ServiceOptions notify;
        notify.notificationFd = 3;
        S6Tree::ServiceOptions logged;
        logged.logger = true;
        QVERIFY(s6.addService("sleeper", kSleep));
        QVERIFY(s6.addService("ready", "#!/bin/sh\necho >&3\nexec sleep 100000 3>&-\n", notify));
        QVERIFY(s6.addService("downer", kSleep, down));
        QVERIFY(s6.addService("crasher", "#!/bin/sh\nexit 1\n"));
        QVERIFY(s6.addService("pauser", kSleep));
        QVERIFY(s6.addService("once", kSleep));
        QVERIFY(s6.addService("talker",
                              "#!/bin/sh\nexec 2>&1\necho talker-1\necho talker-2\n"
                              "echo talker-3\nexec sleep 100000\n",
                              logged));
        QVERIFY(s6.addService("plain00", kPlainBefore));
        QVERIFY2(s6.start(), qPrintable(s6.errorString()));
        for (const char *name : {"sleeper", "ready", "pauser", "once", "talker", "plain00"})
            QVERIFY2(s6.waitUntilUp(name), name);
        QVERIFY(s6.svc("pauser", "-p"));
        QTRY_COMPARE_WITH_TIMEOUT(s6.svstat("pauser", {"-o", "paused"}), QString("true"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(s6.svstat("ready", {"-o", "ready"}), QString("true"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(s6.svstat("crasher", {"-o", "up,exitcode"}), QString("false 1"),
                                  10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QFile log(s6.logFile("talker"));
                return log.open(QIODevice::ReadOnly) && log.readAll().contains("talker-3");
            }(),
            10000);
        QVERIFY2(agent().start(agentOptions(s6)), qPrintable(agent().errorString()));

        // The original's configuration form: containers as a mapping of name to settings.
        const QByteArray config = "containers:\n"
                                  "  ai_worker:\n"
                                  "    socket_path: \"" +
                                  agent().socketPath().toUtf8() +
                                  "\"\n"
                                  "    services:\n"
                                  "      - id: \"sleeper\"\n"
                                  "        label: \"Sleeper Service\"\n"
                                  "      - id: \"ghost\"\n"
                                  "        label: \"Ghost Service\"\n"
                                  "  gone:\n"
                                  "    socket_path: \"" +
                                  tmp.filePath("gone/s6_agent.sock").toUtf8() +
                                  "\"\n"
                                  "docker:\n"
                                  "  socket_path: \"" +
                                  tmp.filePath("no-docker.sock").toUtf8() + "\"\n";
        QVERIFY2(daemon().startWithConfig(config), daemon().allStderr().constData());
        m_client = std::make_unique<DaemonClient>(daemon().baseUrl());
    }

    void cleanupTestCase() {
        m_client.reset();
        if (m_daemonHolder)
            QCOMPARE(daemon().stop(), 0);
        if (m_agentHolder)
            QVERIFY(agent().stop());
        if (m_treeHolder)
            QVERIFY(tree().stop());
    }

    void replay_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("body"); // sent as is; empty: no body
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("shape");   // expected answer, see covers()
        QTest::addColumn<QString>("errorNames"); // the `error` sentence must contain it
        QTest::addColumn<QString>("runFile");    // plain00/run afterwards: "written", "unchanged"

        int n = 0;
        auto row = [&n](const char *method, const char *target, const char *body, int status,
                        const QByteArray &shape, const QString &errorNames = {},
                        const QString &runFile = {}) {
            QTest::addRow("%02d %s %s", ++n, method, target)
                << QByteArray(method) << QByteArray(target) << QByteArray(body) << status << shape
                << errorNames << runFile;
        };
        const QByteArray ext = kStatusExtension;
        const QByteArray error = kOurError;

        row("GET", "/", "", 200,
            R"({"message":"System Manager API","version":"<str>","docs":{"swagger_ui":"/docs",)"
            R"("redoc":"/redoc","openapi_schema":"/openapi.json"},"description":"<str>"})");
        row("GET", "/containers", "", 200,
            R"({"containers":[{"name":"ai_worker","socket_path":"<str>"},)"
            R"({"name":"gone","socket_path":"<str>"}]})");
        row("GET", "/containers/ai_worker/services", "", 200,
            R"({"container":"ai_worker","services":[{"id":"<str>","label":"crasher"},)"
            R"({"id":"<str>","label":"downer"},{"id":"<str>","label":"once"}]})");
        row("GET", "/containers/nope/services", "", 404, error);
        row("GET", "/containers/gone/services", "", 503, error);
        row("GET", "/containers/ai_worker/services/status", "", 200,
            R"({"container":"ai_worker","statuses":[)"
            R"({"container":"ai_worker","service":"crasher","service_label":"crasher",)"
            R"("name":"crasher","raw":"<str>","is_up":false,"pid":"<NoneType>",)"
            R"("uptime_seconds":"<int>")" +
                ext +
                R"(},{"container":"ai_worker","service":"downer","service_label":"downer",)"
                R"("name":"downer","raw":"<str>","is_up":false,"pid":"<NoneType>",)"
                R"("uptime_seconds":"<int>")" +
                ext +
                R"(},{"container":"ai_worker","service":"once","service_label":"once",)"
                R"("name":"once","raw":"<str>","is_up":true,"pid":"<int>",)"
                R"("uptime_seconds":"<int>")" +
                ext + "}]}");
        row("GET", "/containers/ai_worker/services/sleeper/status", "", 200,
            R"({"container":"ai_worker","service":"sleeper","service_label":"Sleeper Service",)"
            R"("name":"sleeper","raw":"<str>","is_up":true,"pid":"<int>","uptime_seconds":"<int>")" +
                ext + "}");
        row("GET", "/containers/ai_worker/services/downer/status", "", 200,
            R"({"container":"ai_worker","service":"downer","service_label":"downer",)"
            R"("name":"downer","raw":"<str>","is_up":false,"pid":"<NoneType>",)"
            R"("uptime_seconds":"<int>")" +
                ext + "}");
        // The original: 503. Here the agent's 404 and its message.
        row("GET", "/containers/ai_worker/services/nope/status", "", 404, error, "nope");
        row("GET", "/containers/gone/services/sleeper/status", "", 503, error);
        for (const char *action : {"down", "up", "restart"})
            row("POST", "/containers/ai_worker/services/once",
                QByteArray(R"({"action":")" + QByteArray(action) + R"("})").constData(), 200,
                R"({"container":"ai_worker","service":"once","action":")" + QByteArray(action) +
                    R"(","result":"ok"})");
        row("POST", "/containers/ai_worker/services/once", R"({"action":"bogus"})", 422,
            R"({"detail":[{"type":"literal_error","loc":["body","action"],"msg":"<str>",)"
            R"("input":"<str>","ctx":{"expected":"'up', 'down' or 'restart'"}}],"error":"<str>"})");
        row("POST", "/containers/ai_worker/services/once", "{}", 422,
            R"({"detail":[{"type":"missing","loc":["body","action"],"msg":"<str>","input":{}}],)"
            R"("error":"<str>"})");
        row("POST", "/containers/ai_worker/services/once", "not json", 422,
            R"({"detail":[{"type":"json_invalid","loc":["body",0],"msg":"<str>","input":{},)"
            R"("ctx":{"error":"<str>"}}],"error":"<str>"})");
        // The original: 503. Here the agent's 404 and its message.
        row("POST", "/containers/ai_worker/services/nope", R"({"action":"up"})", 404, error,
            "nope");
        row("GET", "/containers/ai_worker/services/talker/logs", "", 200,
            R"({"container":"ai_worker","service":"talker","logs":"<str>","tail":100,)"
            R"("log_path":"<str>"})");
        row("GET", "/containers/ai_worker/services/talker/logs?tail=2", "", 200,
            R"({"container":"ai_worker","service":"talker","logs":"<str>","tail":2,)"
            R"("log_path":"<str>"})");
        row("GET", "/containers/ai_worker/services/talker/logs?tail=abc", "", 422,
            R"({"detail":[{"type":"int_parsing","loc":["query","tail"],"msg":"<str>",)"
            R"("input":"<str>"}],"error":"<str>"})");
        // The original: 503 (sleeper has no log). Here the agent's 404 and its message.
        row("GET", "/containers/ai_worker/services/sleeper/logs", "", 404, error, "sleeper");
        row("GET", "/containers/ai_worker/services/sleeper/run", "", 200,
            R"({"container":"ai_worker","service":"sleeper","path":"<str>","content":"<str>"})");
        // The original: 503. Here the agent's 404 and its message.
        row("GET", "/containers/ai_worker/services/nope/run", "", 404, error, "nope");
        row("PUT", "/containers/ai_worker/services/plain00/run",
            R"({"content":"#!/bin/sh\nexec sleep 100000\n"})", 200,
            R"({"container":"ai_worker","service":"plain00","path":"<str>","content":"<str>"})", {},
            "written");
        row("PUT", "/containers/ai_worker/services/plain00/run", R"({"content":""})", 400, error,
            {}, "unchanged");
        row("PUT", "/containers/ai_worker/services/plain00/run", "{}", 422,
            R"({"detail":[{"type":"missing","loc":["body","content"],"msg":"<str>","input":{}}],)"
            R"("error":"<str>"})",
            {}, "unchanged");
        row("GET", "/docker/containers", "", 503, error);
        row("GET", "/docker/containers?all=true", "", 503, error);
        row("GET", "/docker/containers?all=maybe", "", 422,
            R"({"detail":[{"type":"bool_parsing","loc":["query","all"],"msg":"<str>",)"
            R"("input":"<str>"}],"error":"<str>"})");
        row("GET", "/docker/containers/x/status", "", 503, error);
        row("POST", "/docker/containers/x", R"({"action":"start"})", 503, error);
        row("GET", "/docker/containers/x/logs", "", 503, error);
        row("DELETE", "/containers", "", 405, R"({"detail":"Method Not Allowed","error":"<str>"})");
        row("GET", "/no/such/route", "", 404, R"({"detail":"Not Found","error":"<str>"})");
    }

    void replay() {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QByteArray, shape);
        QFETCH(QString, errorNames);
        QFETCH(QString, runFile);

        const QByteArray runBefore = plainRun();
        const DaemonAnswer a = m_client->call(method, target, body);
        QVERIFY2(a.status == status, qPrintable(QStringLiteral("status %1, expected %2: %3")
                                                    .arg(a.status)
                                                    .arg(status)
                                                    .arg(QString::fromUtf8(a.body))));
        QVERIFY(a.header("content-type").startsWith("application/json"));

        QString why;
        const std::optional<Node> expected = parse(shape, &why);
        QVERIFY2(expected, qPrintable("the row's shape is " + why));
        const std::optional<Node> actual = parse(a.body, &why);
        QVERIFY2(actual, qPrintable("the answer is " + why));
        QVERIFY2(covers(*expected, *actual, {}, &why),
                 qPrintable(why + "\nanswer: " + QString::fromUtf8(a.body)));

        if (!errorNames.isEmpty()) {
            const QString error = a.json().value("error").toString();
            QVERIFY2(error.contains(errorNames), qPrintable(error));
        }
        if (runFile == "written")
            QCOMPARE(plainRun(), QByteArray(kPlainWritten));
        else if (runFile == "unchanged")
            QCOMPARE(plainRun(), runBefore);
    }

    void openapi_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("operationId");
        QTest::addColumn<QStringList>("parameters"); // "name in", in order

        auto row = [](const char *method, const char *path, const char *id,
                      const QStringList &parameters = {}) {
            QTest::addRow("%s %s", method, path)
                << QString(method) << QString(path) << QString(id) << parameters;
        };
        row("GET", "/", "root__get");
        row("GET", "/containers", "list_containers_containers_get");
        row("GET", "/containers/{container}/services",
            "list_services_containers__container__services_get", {"container path"});
        row("GET", "/containers/{container}/services/status",
            "get_all_services_status_containers__container__services_status_get",
            {"container path"});
        row("POST", "/containers/{container}/services/{service}",
            "control_service_containers__container__services__service__post",
            {"container path", "service path"});
        row("GET", "/containers/{container}/services/{service}/logs",
            "get_service_logs_containers__container__services__service__logs_get",
            {"container path", "service path", "tail query"});
        row("GET", "/containers/{container}/services/{service}/run",
            "get_service_run_script_containers__container__services__service__run_get",
            {"container path", "service path"});
        row("PUT", "/containers/{container}/services/{service}/run",
            "update_service_run_script_containers__container__services__service__run_put",
            {"container path", "service path"});
        row("GET", "/containers/{container}/services/{service}/status",
            "get_service_status_containers__container__services__service__status_get",
            {"container path", "service path"});
        row("GET", "/docker/containers", "list_docker_containers_docker_containers_get",
            {"all query"});
        row("POST", "/docker/containers/{name}",
            "control_docker_container_docker_containers__name__post", {"name path"});
        row("GET", "/docker/containers/{name}/logs",
            "get_docker_container_logs_docker_containers__name__logs_get",
            {"name path", "tail query"});
        row("GET", "/docker/containers/{name}/status",
            "get_docker_container_status_docker_containers__name__status_get", {"name path"});
    }

    void openapi() {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QString, operationId);
        QFETCH(QStringList, parameters);

        const DaemonAnswer spec = m_client->get("/openapi.json");
        QCOMPARE(spec.status, 200);
        const QJsonObject paths = spec.json().value("paths").toObject();
        QVERIFY2(paths.contains(path), qPrintable(paths.keys().join(' ')));
        const QJsonObject operation =
            paths.value(path).toObject().value(method.toLower()).toObject();
        QVERIFY2(!operation.isEmpty(), qPrintable(paths.value(path).toObject().keys().join(' ')));
        QCOMPARE(operation.value("operationId").toString(), operationId);
        QStringList actual;
        for (const QJsonValue &p : operation.value("parameters").toArray())
            actual.append(p.toObject().value("name").toString() + ' ' +
                          p.toObject().value("in").toString());
        QVERIFY2(actual.mid(0, parameters.size()) == parameters,
                 qPrintable("parameters: " + actual.join(", ")));
    }
};

QTEST_GUILESS_MAIN(CompatOriginalTest)
#include "compat_original.moc"

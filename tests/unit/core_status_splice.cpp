// The REST ServiceStatus spliced from the agent's bytes must be exactly what reading the
// agent's object and writing it again gives, and anything the splice cannot vouch for must be
// left to that general way.
#include "model/ModelJson.h"
#include "model/StatusSplice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace sm;
using namespace sm::statussplice;

namespace {

const QString kContainer = QStringLiteral("demo");
const QString kLabel = QStringLiteral("Web \"front\" \u00e9");

// This project's agent's objects, as agent/S6Status.cpp and agent/Api.cpp write them.
const QByteArray kUp =
    R"({"name":"web","raw":"up (pid 123) 45 seconds, ready 44 seconds","is_up":true,"pid":123,)"
    R"("uptime_seconds":45,"normally_up":true,"want_up":true,"ready":true,"paused":false,)"
    R"("exit_code":null,"signal":null,"since":"2026-01-02T03:04:05Z","deaths_last_minute":0,)"
    R"("last_death":null,"deaths_last_hour":0,"failed":false})";
const QByteArray kDied =
    R"({"name":"db","raw":"down (signal SIGKILL) 3 seconds, want up","is_up":false,"pid":null,)"
    R"("uptime_seconds":3,"normally_up":true,"want_up":true,"ready":false,"paused":false,)"
    R"("exit_code":null,"signal":"SIGKILL","since":"2026-01-02T03:04:05Z",)"
    R"("deaths_last_minute":7,"last_death":{"time":"2026-01-02T03:04:05Z","exit_code":null,)"
    R"("signal":"SIGKILL"},"deaths_last_hour":12,"failed":true})";
const QByteArray kExited =
    R"({"name":"job","raw":"down (exitcode 3) 9 seconds","is_up":false,"pid":null,)"
    R"("uptime_seconds":9,"normally_up":false,"want_up":false,"ready":false,"paused":false,)"
    R"("exit_code":3,"signal":null,"since":"2026-01-02T03:04:05Z","deaths_last_minute":1,)"
    R"("last_death":{"time":"2026-01-02T03:04:05Z","exit_code":3,"signal":null},)"
    R"("deaths_last_hour":1,"failed":false})";
// An agent that cannot read the tally sends its fields null.
const QByteArray kNoTally =
    R"({"name":"x","raw":"s6-svstat: fatal","is_up":false,"pid":null,"uptime_seconds":null,)"
    R"("normally_up":true,"want_up":false,"ready":false,"paused":false,"exit_code":null,)"
    R"("signal":null,"since":null,"deaths_last_minute":null,"last_death":null,)"
    R"("deaths_last_hour":null,"failed":false})";
// An agent of this project older than the death fields.
const QByteArray kNoDeaths =
    R"({"name":"web","raw":"up (pid 1) 5 seconds","is_up":true,"pid":1,"uptime_seconds":5,)"
    R"("normally_up":true,"want_up":true,"ready":false,"paused":false,"exit_code":null,)"
    R"("signal":null,"since":"2026-01-02T03:04:05Z"})";

// The general way: read the agent's object, fill in the place, write it.
std::optional<QByteArray> general(const QByteArray &object, const QString &service) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(object, &error);
    if (!doc.isObject())
        return std::nullopt;
    auto s = serviceStatusFromAgent(doc.object());
    if (!s.ok())
        return std::nullopt;
    s.value().container = kContainer;
    s.value().service = service;
    s.value().serviceLabel = kLabel;
    return toJson(s.value());
}

std::optional<QByteArray> spliced(const QByteArray &object, const QString &service) {
    const auto s = scanStatus(object);
    if (!s)
        return std::nullopt;
    QByteArray out;
    appendRestStatus(out, kContainer, service, kLabel, *s);
    return out;
}

std::optional<QByteArray> generalList(const QByteArray &body) {
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject() || !doc.object().value(QLatin1String("statuses")).isArray())
        return std::nullopt;
    QList<ServiceStatus> list;
    for (const QJsonValue &v : doc.object().value(QLatin1String("statuses")).toArray()) {
        auto s = serviceStatusFromAgent(v.toObject());
        if (!s.ok())
            return std::nullopt;
        s.value().container = kContainer;
        s.value().service = s.value().name;
        s.value().serviceLabel = kLabel;
        list.append(s.value());
    }
    return toJsonArray(list);
}

std::optional<QByteArray> splicedList(const QByteArray &body) {
    const auto list = scanStatusList(body);
    if (!list)
        return std::nullopt;
    QByteArray out = "[";
    for (const AgentStatusBytes &s : *list) {
        if (out.size() > 1)
            out += ',';
        appendRestStatus(out, kContainer, kLabel, s);
    }
    return out + ']';
}

QByteArray replaced(QByteArray text, const QByteArray &from, const QByteArray &to) {
    if (!text.contains(from))
        qFatal("test text has no %s", from.constData());
    return text.replace(from, to);
}

} // namespace

class StatusSpliceTest final : public QObject {
    Q_OBJECT
private slots:
    void agentShapes_data() {
        QTest::addColumn<QByteArray>("object");
        QTest::newRow("up") << kUp;
        QTest::newRow("signalled, failed") << kDied;
        QTest::newRow("exited") << kExited;
        QTest::newRow("no tally") << kNoTally;
        QTest::newRow("no death fields") << kNoDeaths;
        QTest::newRow("braces and brackets in strings")
            << replaced(kUp, "\"raw\":\"up (pid 123)", "\"raw\":\"up {pid}} ] [{ 123)");
        QTest::newRow("escaped quote and backslash")
            << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\\\"up\\\\\\\" \\\\");
        QTest::newRow("escaped newline, return, tab")
            << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\\n\\r\\tup");
        QTest::newRow("escaped name")
            << replaced(kUp, "\"name\":\"web\"", "\"name\":\"w\\\"e\\\\b\"");
        QTest::newRow("negative exit code")
            << replaced(kExited, "\"exit_code\":3,\"signal\":null,\"since\"",
                        "\"exit_code\":-3,\"signal\":null,\"since\"");
        QTest::newRow("zero and large pid")
            << replaced(replaced(kUp, "\"pid\":123", "\"pid\":999999999999999"),
                        "\"uptime_seconds\":45", "\"uptime_seconds\":0");
        QTest::newRow("only one extended field set")
            << replaced(kNoDeaths, "\"want_up\":true,\"ready\":false,\"paused\":false",
                        "\"want_up\":null,\"ready\":null,\"paused\":null");
        QTest::newRow("empty name") << replaced(kUp, "\"name\":\"web\"", "\"name\":\"\"");
    }
    void agentShapes() {
        QFETCH(QByteArray, object);
        const auto s = scanStatus(object);
        QVERIFY(s);
        const QString name = decodeName(s->name);
        const auto expected = general(object, name);
        QVERIFY(expected);
        QCOMPARE(spliced(object, name), expected);
        // In a list, with the name as the service.
        const QByteArray list = "{\"statuses\":[" + object + ',' + kUp + "]}";
        QCOMPARE(splicedList(list), generalList(list));
    }

    void decodedName() {
        // The scan's views point into the text: it must outlive them.
        const QByteArray text = replaced(kUp, "\"name\":\"web\"", "\"name\":\"a\\\"b\\\\c\\td\"");
        const auto s = scanStatus(text);
        QVERIFY(s);
        QCOMPARE(decodeName(s->name), QStringLiteral("a\"b\\c\td"));
    }

    void lists() {
        QCOMPARE(splicedList("{\"statuses\":[]}"), QByteArray("[]"));
        const QByteArray three = "{\"statuses\":[" + kUp + ',' + kDied + ',' + kNoTally + "]}";
        QVERIFY(splicedList(three));
        QCOMPARE(splicedList(three), generalList(three));
        QCOMPARE(scanStatusList(three)->size(), 3);
        QCOMPARE(decodeName(scanStatusList(three)->at(1).name), QStringLiteral("db"));
    }

    // What the splice leaves to the general way, which reads it (or reports it) as before.
    void notRecognised_data() {
        QTest::addColumn<QByteArray>("object");
        QTest::newRow("the original agent's fields") << QByteArray(
            "{\"name\":\"web\",\"raw\":\"up (pid 1) 5 seconds\",\"is_up\":true,\"pid\":1,"
            "\"uptime_seconds\":5}");
        QTest::newRow("whitespace") << replaced(kUp, "\"is_up\":true", "\"is_up\": true");
        QTest::newRow("trailing newline") << kUp + '\n';
        QTest::newRow("trailing garbage") << kUp + "x";
        QTest::newRow("two objects") << kUp + kUp;
        QTest::newRow("extended fields all null")
            << replaced(kNoDeaths,
                        "\"normally_up\":true,\"want_up\":true,\"ready\":false,\"paused\":false,"
                        "\"exit_code\":null,\"signal\":null,\"since\":\"2026-01-02T03:04:05Z\"",
                        "\"normally_up\":null,\"want_up\":null,\"ready\":null,\"paused\":null,"
                        "\"exit_code\":null,\"signal\":null,\"since\":null");
        QTest::newRow("an extra key")
            << replaced(kUp, "\"failed\":false}", "\"failed\":false,\"extra\":1}");
        QTest::newRow("keys reordered")
            << replaced(kUp, "\"want_up\":true,\"ready\":true", "\"ready\":true,\"want_up\":true");
        QTest::newRow("a duplicate key")
            << replaced(kUp, "\"failed\":false}", "\"failed\":false,\"failed\":true}");
        QTest::newRow("some death fields only")
            << replaced(kUp, ",\"deaths_last_hour\":0,\"failed\":false}", "}");
        QTest::newRow("extra key in the death")
            << replaced(kExited, "\"signal\":null},", "\"signal\":null,\"x\":1},");
        QTest::newRow("death not an object")
            << replaced(kUp, "\"last_death\":null", "\"last_death\":[]");
        QTest::newRow("unicode escape") << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\\u0075p");
        QTest::newRow("escaped slash") << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\\/up");
        QTest::newRow("escaped backspace") << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\\bup");
        QTest::newRow("bad escape") << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\\qup");
        QTest::newRow("non-ASCII") << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\xc3\xa9up");
        QTest::newRow("invalid UTF-8") << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\xffup");
        QTest::newRow("control character") << replaced(kUp, "\"raw\":\"up", "\"raw\":\"\x01up");
        QTest::newRow("leading zero") << replaced(kUp, "\"pid\":123", "\"pid\":0123");
        QTest::newRow("minus zero") << replaced(kUp, "\"pid\":123", "\"pid\":-0");
        QTest::newRow("fraction") << replaced(kUp, "\"pid\":123", "\"pid\":123.0");
        QTest::newRow("exponent") << replaced(kUp, "\"pid\":123", "\"pid\":1e3");
        QTest::newRow("plus") << replaced(kUp, "\"pid\":123", "\"pid\":+123");
        QTest::newRow("16 digits") << replaced(kUp, "\"pid\":123", "\"pid\":1234567890123456");
        QTest::newRow("exit code past 32 bits")
            << replaced(kExited, "\"exit_code\":3,\"signal\":null,\"since\"",
                        "\"exit_code\":4294967296,\"signal\":null,\"since\"");
        QTest::newRow("bare minus") << replaced(kUp, "\"pid\":123", "\"pid\":-");
        QTest::newRow("string for a number") << replaced(kUp, "\"pid\":123", "\"pid\":\"123\"");
        QTest::newRow("null name") << replaced(kUp, "\"name\":\"web\"", "\"name\":null");
        QTest::newRow("null is_up") << replaced(kUp, "\"is_up\":true", "\"is_up\":null");
        QTest::newRow("word for a boolean")
            << replaced(kUp, "\"ready\":true", "\"ready\":\"true\"");
        QTest::newRow("truncated literal") << replaced(kUp, "\"paused\":false", "\"paused\":fals");
        QTest::newRow("unterminated string") << QByteArray("{\"name\":\"web");
        QTest::newRow("escape at the end") << QByteArray("{\"name\":\"web\\");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("an array") << "[" + kUp + "]";
    }
    void notRecognised() {
        QFETCH(QByteArray, object);
        QVERIFY(!scanStatus(object));
        if (!object.isEmpty()) // an empty list is one
            QVERIFY(!scanStatusList("{\"statuses\":[" + object + "]}"));
    }

    void truncated() {
        for (const QByteArray &object : {kUp, kDied, kNoDeaths}) {
            for (qsizetype n = 0; n < object.size(); ++n) {
                QVERIFY2(!scanStatus(object.left(n)), object.left(n).constData());
                const QByteArray list = "{\"statuses\":[" + kUp + ',' + object + "]}";
                QVERIFY(!scanStatusList(list.left(list.size() - 1 - (object.size() - n))));
            }
        }
    }

    void listsNotRecognised_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("trailing comma") << "{\"statuses\":[" + kUp + ",]}";
        QTest::newRow("leading comma") << "{\"statuses\":[," + kUp + "]}";
        QTest::newRow("no list") << QByteArray("{\"statuses\":{}}");
        QTest::newRow("another key") << QByteArray("{\"services\":[]}");
        QTest::newRow("a key after the list") << "{\"statuses\":[" + kUp + "],\"x\":1}";
        QTest::newRow("unclosed") << "{\"statuses\":[" + kUp;
        QTest::newRow("spaces") << "{\"statuses\": [" + kUp + "]}";
        QTest::newRow("one bad of two") << "{\"statuses\":[" + kUp + ",{\"name\":\"x\"}]}";
        QTest::newRow("a string in the list") << QByteArray("{\"statuses\":[\"web\"]}");
    }
    void listsNotRecognised() {
        QFETCH(QByteArray, body);
        QVERIFY(!scanStatusList(body));
    }

    // Random damage to real objects: whatever the scanner still takes must read the same way
    // in general, and come out the same.
    void mutated() {
        QRandomGenerator random(20260102);
        const QByteArray alphabet = "{}[]\",:\\0123456789-.enulltrfa xy\x01\xc3";
        const QList<QByteArray> seeds{kUp, kDied, kExited, kNoTally, kNoDeaths};
        int recognised = 0;
        for (int i = 0; i < 30000; ++i) {
            QByteArray object = seeds[random.bounded(int(seeds.size()))];
            const int edits = 1 + random.bounded(3);
            for (int e = 0; e < edits; ++e) {
                const int at = random.bounded(int(object.size()) + 1);
                const char c = alphabet[random.bounded(int(alphabet.size()))];
                switch (random.bounded(3)) {
                case 0:
                    object.insert(at, c);
                    break;
                case 1:
                    object.remove(at, 1);
                    break;
                default:
                    if (at < object.size())
                        object[at] = c;
                }
            }
            const auto s = scanStatus(object);
            if (!s)
                continue;
            ++recognised;
            const QString name = decodeName(s->name);
            const auto expected = general(object, name);
            QVERIFY2(expected, object.constData());
            QCOMPARE(spliced(object, name), expected);
        }
        QVERIFY(recognised > 100); // edits inside strings and numbers keep many valid
    }
};

QTEST_GUILESS_MAIN(StatusSpliceTest)
#include "core_status_splice.moc"

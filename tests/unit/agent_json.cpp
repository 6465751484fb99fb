// The agent's strict body JSON parser and its JSON string writer.

#include "Json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace agent;

class AgentJson final : public QObject {
    Q_OBJECT

private slots:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void writerEscapes();
    void writerRepairsInvalidUtf8();
};

void AgentJson::accepts_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addRow("action") << QByteArray(R"({"action":"up"})") << "action"
                            << "up";
    QTest::addRow("spaces") << QByteArray(" \n{ \"action\" : \"down\" }\r\n\t") << "action"
                            << "down";
    QTest::addRow("escapes") << QByteArray(R"({"content":"#!/bin/sh\necho \"hi\"\t\\ \/"})")
                             << "content"
                             << "#!/bin/sh\necho \"hi\"\t\\ /";
    QTest::addRow("unicode") << QByteArray(R"({"content":"\u00e9\ud83d\ude00 é"})") << "content"
                             << QString::fromUtf8("é😀 é");
    QTest::addRow("other-members")
        << QByteArray(
               R"({"n":-1.5e3,"a":[1,[true,false,null],{}],"o":{"x":"y"},"action":"restart"})")
        << "action"
        << "restart";
    QTest::addRow("empty-string") << QByteArray(R"({"content":""})") << "content"
                                  << "";
}

void AgentJson::accepts() {
    QFETCH(QByteArray, text);
    QFETCH(QString, key);
    QFETCH(QString, value);
    JsonObject object;
    std::string error;
    QVERIFY2(parseJsonObject(text.toStdString(), object, error), error.c_str());
    QCOMPARE(QString::fromStdString(object.strings.at(key.toStdString())), value);
}

void AgentJson::rejects_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addRow("empty") << QByteArray("");
    QTest::addRow("array") << QByteArray("[]");
    QTest::addRow("string") << QByteArray(R"("up")");
    QTest::addRow("trailing") << QByteArray(R"({"action":"up"} x)");
    QTest::addRow("two-objects") << QByteArray(R"({}{})");
    QTest::addRow("unterminated") << QByteArray(R"({"action":"up)");
    QTest::addRow("single-quotes") << QByteArray(R"({'action':'up'})");
    QTest::addRow("trailing-comma") << QByteArray(R"({"action":"up",})");
    QTest::addRow("duplicate") << QByteArray(R"({"action":"up","action":"down"})");
    QTest::addRow("control-char") << QByteArray("{\"action\":\"u\x01p\"}");
    QTest::addRow("bad-escape") << QByteArray(R"({"action":"\x41"})");
    QTest::addRow("lone-surrogate") << QByteArray(R"({"a":"\ud800"})");
    QTest::addRow("low-surrogate") << QByteArray(R"({"a":"\udc00"})");
    QTest::addRow("bad-utf8") << QByteArray("{\"a\":\"\xff\"}");
    QTest::addRow("overlong-utf8") << QByteArray("{\"a\":\"\xc0\xaf\"}");
    QTest::addRow("leading-zero") << QByteArray(R"({"a":01})");
    QTest::addRow("bare-minus") << QByteArray(R"({"a":-})");
    QTest::addRow("nan") << QByteArray(R"({"a":NaN})");
    QTest::addRow("truex") << QByteArray(R"({"a":tru})");
    QTest::addRow("deep") << QByteArray("{\"a\":" + QByteArray(40, '[') + QByteArray(40, ']') +
                                        "}");
    QTest::addRow("nul") << QByteArray("{\"a\":\"x\"}\0", 10);
}

void AgentJson::rejects() {
    QFETCH(QByteArray, text);
    JsonObject object;
    std::string error;
    QVERIFY(
        !parseJsonObject(std::string_view(text.constData(), size_t(text.size())), object, error));
    QVERIFY(!error.empty());
    QVERIFY(error.back() == '.');
}

void AgentJson::writerEscapes() {
    std::string out;
    appendJsonString(out, std::string_view("a\"b\\c\n\r\t\x01\x7f é", 13));
    const QByteArray doc = "[" + QByteArray::fromStdString(out) + "]";
    QJsonParseError error;
    const auto array = QJsonDocument::fromJson(doc, &error).array();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(array.at(0).toString(), QString::fromUtf8("a\"b\\c\n\r\t\x01\x7f é"));
}

void AgentJson::writerRepairsInvalidUtf8() {
    std::string out;
    appendJsonString(out, "ok \xff\xfe end \xe2\x82");
    QCOMPARE(out, std::string("\"ok \xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd\xef\xbf\xbd\""));
}

QTEST_APPLESS_MAIN(AgentJson)
#include "agent_json.moc"

// The agent's decoder of s6-supervise's `supervise/death_tally`, from bytes:
// records as s6 2.11 writes them, and files it must refuse.

#include "DeathTally.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace agent;

namespace {

// Two records of a real tally (s6 2.11.3.2, hexdumped next to `s6-svdt`):
//   @400000006b0f867f16da1bdc signal SIGKILL
//   @400000006b0f868034f42e20 signal SIGTERM
const QByteArray kSignalled =
    QByteArray::fromHex("400000006b0f867f16da1bdc8909400000006b0f868034f42e208f0f");
//   @400000006b0f867b169cf5a1 exitcode 3
const QByteArray kExited = QByteArray::fromHex("400000006b0f867b169cf5a10300");

QByteArray record(quint64 label, quint32 nano, quint8 exitCode, quint8 signal) {
    QByteArray out;
    for (int shift = 56; shift >= 0; shift -= 8)
        out.append(char((label >> shift) & 0xff));
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((nano >> shift) & 0xff));
    out.append(char(exitCode));
    out.append(char(signal));
    return out;
}

std::optional<std::vector<Death>> parse(const QByteArray &bytes) {
    return parseDeathTally(std::string_view(bytes.constData(), size_t(bytes.size())));
}

QJsonObject object(const std::string &json) {
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error).object();
    return error.error == QJsonParseError::NoError ? o : QJsonObject{{"invalid", true}};
}

constexpr quint64 kTaiBase = quint64(1) << 62;

} // namespace

class AgentDeaths final : public QObject {
    Q_OBJECT

private slots:
    void realRecords();
    void emptyTally();
    void malformed_data();
    void malformed();
    void largestTally();
    void deathObjects();
    void lastMinute();
    void statusFields();
    void lastHour();
};

void AgentDeaths::realRecords() {
    const auto deaths = parse(kSignalled + kExited);
    QVERIFY(deaths);
    QCOMPARE(deaths->size(), size_t(3));
    QCOMPARE((*deaths)[0].stamp, (Tai64n{0x400000006b0f867fULL, 0x16da1bdc}));
    QCOMPARE(int((*deaths)[0].exitCode), 128 + 9);
    QCOMPARE(int((*deaths)[0].signal), 9);
    QCOMPARE(int((*deaths)[1].signal), 15);
    QCOMPARE(int((*deaths)[2].exitCode), 3);
    QCOMPARE(int((*deaths)[2].signal), 0);
}

void AgentDeaths::emptyTally() {
    // s6-svdt-clear leaves an empty file.
    const auto deaths = parse(QByteArray());
    QVERIFY(deaths);
    QVERIFY(deaths->empty());
}

void AgentDeaths::malformed_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addRow("one byte") << QByteArray(1, '\x40');
    QTest::addRow("half a record") << kExited.left(7);
    QTest::addRow("a record and a byte") << kExited + QByteArray(1, '\0');
    QTest::addRow("one byte short") << (kSignalled + kExited).chopped(1);
    QTest::addRow("text") << QByteArray("garbage in the tally\n!!!!!!!").left(28);
    QTest::addRow("label before TAI64") << record(kTaiBase - 1, 0, 3, 0);
    QTest::addRow("label past TAI64") << record(2 * kTaiBase, 0, 3, 0);
    QTest::addRow("zero label") << record(0, 0, 0, 0);
    QTest::addRow("nanoseconds 1e9") << record(kTaiBase + 1000, 1000000000, 3, 0);
    QTest::addRow("bad record after good") << kExited + record(0xffffffffffffffffULL, 0, 1, 1);
    QTest::addRow("too many records") << kExited.repeated(int(kMaxDeaths) + 1);
}

void AgentDeaths::malformed() {
    QFETCH(QByteArray, bytes);
    QVERIFY(!parse(bytes));
}

void AgentDeaths::largestTally() {
    const auto deaths = parse(kExited.repeated(int(kMaxDeaths)));
    QVERIFY(deaths);
    QCOMPARE(deaths->size(), kMaxDeaths);
}

void AgentDeaths::deathObjects() {
    const auto deaths = parse(kSignalled + kExited);
    QVERIFY(deaths);
    // 0x6b0f867f - 37 (TAI - UTC) = 1796179546 s since 1970.
    const std::string killed = deathJson((*deaths)[0]);
    QCOMPARE(QByteArray::fromStdString(killed),
             QByteArray(R"({"time":"2026-12-02T02:45:46Z","exit_code":null,"signal":"SIGKILL"})"));
    const QJsonObject exited = object(deathJson((*deaths)[2]));
    QCOMPARE(exited.value("exit_code").toInt(-1), 3);
    QVERIFY(exited.value("signal").isNull());
    QCOMPARE(exited.keys(), QStringList({"exit_code", "signal", "time"}));
    QCOMPARE(QString::fromStdString(signalName((*deaths)[1].signal)), QStringLiteral("SIGTERM"));
}

void AgentDeaths::lastMinute() {
    const Tai64n now{kTaiBase + 100000, 500};
    std::vector<Death> deaths;
    for (uint64_t age : {200, 60, 59, 1, 0})
        deaths.push_back(Death{Tai64n{now.label - age, 500}, 3, 0});
    deaths.push_back(Death{Tai64n{now.label + 5, 0}, 3, 0}); // the clock went back since
    // 59 whole seconds ago is within the minute, 60 is not.
    QCOMPARE(deathsLastMinute(deaths, now), size_t(4));
    QCOMPARE(deathsLastMinute({}, now), size_t(0));
    // 59.9999 s old still counts; 60 s and a nanosecond does not.
    QCOMPARE(deathsLastMinute({Death{Tai64n{now.label - 60, 501}, 0, 0}}, now), size_t(1));
    QCOMPARE(deathsLastMinute({Death{Tai64n{now.label - 60, 499}, 0, 0}}, now), size_t(0));
}

void AgentDeaths::statusFields() {
    // As s6 writes it: an exit at 0x...867b, then the two signals at 0x...867f and 0x...8680.
    const auto deaths = parse(kExited + kSignalled);
    QVERIFY(deaths);
    const Tai64n now{(*deaths)[0].stamp.label + 63, 0};
    const QJsonObject withDeaths = object("{\"name\":\"x\"" + deathFieldsJson(&*deaths, now) + "}");
    // 63, 59 and 58 s old: the exit has left the minute; the last death is the SIGTERM.
    QCOMPARE(withDeaths.value("deaths_last_minute").toInt(-1), 2);
    QCOMPARE(withDeaths.value("last_death").toObject(), object(deathJson((*deaths)[2])));
    QCOMPARE(withDeaths.value("last_death").toObject().value("signal").toString(),
             QStringLiteral("SIGTERM"));

    const std::vector<Death> none;
    const std::string empty = deathFieldsJson(&none, now);
    QCOMPARE(QByteArray::fromStdString(empty),
             QByteArray(R"(,"deaths_last_minute":0,"last_death":null,"deaths_last_hour":0)"));
    QCOMPARE(QByteArray::fromStdString(deathFieldsJson(nullptr, now)),
             QByteArray(R"(,"deaths_last_minute":null,"last_death":null,"deaths_last_hour":null)"));
    // All three within the hour; the keys in this order.
    QCOMPARE(withDeaths.value("deaths_last_hour").toInt(-1), 3);
    const std::string text = deathFieldsJson(&*deaths, now);
    QVERIFY(text.find("\"last_death\":") < text.find("\"deaths_last_hour\":"));
}

void AgentDeaths::lastHour() {
    const Tai64n now{kTaiBase + 100000, 500};
    std::vector<Death> deaths;
    for (uint64_t age : {7200, 3600, 3599, 60, 0})
        deaths.push_back(Death{Tai64n{now.label - age, 500}, 3, 0});
    // 3599 whole seconds ago is within the hour, 3600 is not.
    QCOMPARE(deathsLastHour(deaths, now), size_t(3));
    QCOMPARE(deathsLastMinute(deaths, now), size_t(1));
    QCOMPARE(deathsWithin(deaths, now, 10000), size_t(5));
    QCOMPARE(deathsLastHour({}, now), size_t(0));
}

QTEST_GUILESS_MAIN(AgentDeaths)
#include "agent_deaths.moc"

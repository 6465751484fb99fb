// The agent's supervise/status decoder and s6-svstat formatter against every
// captured fixture (s6 2.11.3.2, 2.13.2.0, 2.15.0.0 x 8 states).

#include "S6Status.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace agent;

namespace {

QString fixtureRoot() {
    return QStringLiteral(SM_TEST_FIXTURES "/s6-status");
}

QByteArray readAll(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

Tai64n parseStamp(const QString &text) // "@400000006b08393e192a0c63"
{
    Tai64n t;
    t.label = text.mid(1, 16).toULongLong(nullptr, 16);
    t.nano = text.mid(17, 8).toUInt(nullptr, 16);
    return t;
}

bool later(const Tai64n &a, const Tai64n &b) {
    return a.label > b.label || (a.label == b.label && a.nano > b.nano);
}

} // namespace

class AgentStatus final : public QObject {
    Q_OBJECT

private slots:
    void fixtures_data();
    void fixtures();
    void rejectsOtherSizes();
    void signalNames();
    void notStartedYetOnlyInNewDialect();
    void futureStampClampsToZero();
};

void AgentStatus::fixtures_data() {
    QTest::addColumn<QString>("dir");
    QTest::addColumn<int>("dialect");
    QTest::addColumn<QString>("version");
    const QStringList versions{"2.11.3.2", "2.13.2.0", "2.15.0.0"};
    int rows = 0;
    for (const QString &version : versions) {
        const QDir vdir(fixtureRoot() + '/' + version);
        for (const QString &state : vdir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            QTest::addRow("%s/%s", qPrintable(version), qPrintable(state))
                << vdir.filePath(state)
                << int(version.startsWith("2.11") ? SvstatDialect::V2_11 : SvstatDialect::V2_13)
                << version;
            ++rows;
        }
    }
    QCOMPARE(rows, 24);
}

void AgentStatus::fixtures() {
    QFETCH(QString, dir);
    QFETCH(int, dialect);
    QFETCH(QString, version);

    const QByteArray bytes = readAll(dir + "/status");
    QCOMPARE(bytes.size(), version.startsWith("2.13") ? 43 : 35);
    const auto parsed = parseStatusFile(std::string_view(bytes.constData(), size_t(bytes.size())));
    QVERIFY(parsed);
    const SupervisionStatus &st = *parsed;

    // svstat-o.txt: one value per field listed in svstat-o.fields.
    const QStringList fields =
        QString::fromLatin1(readAll(dir + "/../svstat-o.fields")).trimmed().split(',');
    const QStringList values =
        QString::fromLatin1(readAll(dir + "/svstat-o.txt")).trimmed().split(' ');
    QCOMPARE(values.size(), fields.size());
    QHash<QString, QString> o;
    for (int i = 0; i < fields.size(); ++i)
        o.insert(fields[i], values[i]);

    // The stamps are exactly what -o prints as updownsince / readysince.
    const Tai64n stamp = parseStamp(o["updownsince"]);
    const Tai64n ready = parseStamp(o["readysince"]);
    QCOMPARE(st.stamp.label, stamp.label);
    QCOMPARE(st.stamp.nano, stamp.nano);
    QCOMPARE(st.readyStamp.label, ready.label);
    QCOMPARE(st.readyStamp.nano, ready.nano);

    // The capture moment: the earliest time at which both ages were as printed.
    Tai64n now1{stamp.label + o["updownfor"].toULongLong(), stamp.nano};
    Tai64n now2{ready.label + o["readyfor"].toULongLong(), ready.nano};
    const Tai64n now = later(now1, now2) ? now1 : now2;
    const bool normallyUp = o["normallyup"] == "true";

    QByteArray expected = readAll(dir + "/svstat.txt");
    QVERIFY(expected.endsWith('\n'));
    expected.chop(1);
    const std::string raw = formatSvstat(st, normallyUp, now, SvstatDialect(dialect));
    QCOMPARE(QByteArray::fromStdString(raw), expected);

    if (o.contains("pgid") && st.isUp())
        QCOMPARE(QString::number(st.pgid ? *st.pgid : st.pid), o["pgid"]);

    // The Status JSON carries the same facts as s6-svstat -o.
    const std::string json = statusJson("svc", st, normallyUp, now, SvstatDialect(dialect));
    QJsonParseError error;
    const QJsonObject obj =
        QJsonDocument::fromJson(QByteArray::fromStdString(json), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(obj.keys().size(), 12);
    // Field order is part of the contract.
    qsizetype at = -1;
    for (const char *key : {"name", "raw", "is_up", "pid", "uptime_seconds", "normally_up",
                            "want_up", "ready", "paused", "exit_code", "signal", "since"}) {
        const qsizetype pos =
            QByteArray::fromStdString(json).indexOf(QByteArray("\"") + key + "\":");
        QVERIFY2(pos > at, key);
        at = pos;
    }
    QCOMPARE(obj["raw"].toString().toStdString(), raw);
    QCOMPARE(obj["is_up"].toBool(), o["up"] == "true");
    QCOMPARE(obj["want_up"].toBool(), o["wantedup"] == "true");
    QCOMPARE(obj["normally_up"].toBool(), normallyUp);
    QCOMPARE(obj["ready"].toBool(), o["ready"] == "true");
    QCOMPARE(obj["paused"].toBool(), o["paused"] == "true");
    QCOMPARE(obj["pid"].isNull() ? QStringLiteral("-1") : QString::number(obj["pid"].toInteger()),
             o["pid"]);
    QCOMPARE(obj["exit_code"].isNull() ? QStringLiteral("-1")
                                       : QString::number(obj["exit_code"].toInt()),
             o["exitcode"]);
    QCOMPARE(obj["signal"].isNull() ? QStringLiteral("NA") : obj["signal"].toString(), o["signal"]);
    QCOMPARE(QString::number(obj["uptime_seconds"].toInteger()), o["updownfor"]);
    const qint64 unix = qint64(stamp.label - (quint64(1) << 62)) - 37;
    QCOMPARE(obj["since"].toString(),
             QDateTime::fromSecsSinceEpoch(unix, Qt::UTC).toString("yyyy-MM-ddTHH:mm:ssZ"));
}

void AgentStatus::rejectsOtherSizes() {
    for (size_t size : {size_t(0), size_t(18), size_t(26), size_t(34), size_t(36), size_t(42),
                        size_t(44), size_t(100)}) {
        const std::string bytes(size, '\0');
        QVERIFY(!parseStatusFile(bytes));
    }
}

void AgentStatus::signalNames() {
    QCOMPARE(signalName(15), std::string("SIGTERM"));
    QCOMPARE(signalName(9), std::string("SIGKILL"));
    QCOMPARE(signalName(1), std::string("SIGHUP"));
    QCOMPARE(signalName(31), std::string("SIGSYS"));
    QCOMPARE(signalName(40), std::string("SIG40"));
}

void AgentStatus::notStartedYetOnlyInNewDialect() {
    SupervisionStatus st;
    st.paused = true;
    st.ready = true;
    const Tai64n now = taiNow();
    st.stamp = now;
    st.readyStamp = now;
    QCOMPARE(formatSvstat(st, false, now, SvstatDialect::V2_13),
             std::string("down (not started yet) "));
    QCOMPARE(formatSvstat(st, false, now, SvstatDialect::V2_11),
             std::string("down (exitcode 0) 0 seconds, ready 0 seconds"));
}

void AgentStatus::futureStampClampsToZero() {
    SupervisionStatus st;
    st.pid = 42;
    st.wantUp = true;
    const Tai64n now = taiNow();
    st.stamp = Tai64n{now.label + 100, 0};
    QCOMPARE(formatSvstat(st, true, now, SvstatDialect::V2_11),
             std::string("up (pid 42) 0 seconds"));
    QCOMPARE(formatSvstat(st, true, now, SvstatDialect::V2_13),
             std::string("up (pid 42 pgid 42) 0 seconds"));
}

QTEST_APPLESS_MAIN(AgentStatus)
#include "agent_status.moc"

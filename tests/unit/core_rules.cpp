// core/rules: the name and action tables shared with the agent's twins
// (tests/fixtures/rules/, also read by agent_rules.cpp), exposure and the Docker socket.

#include "../fixtures/rules/RulesTable.h"
#include "rules/Rules.h"

#include <QRegularExpression>
#include <QTest>

using namespace sm;

namespace {

QString table(const char *name) {
    return QStringLiteral(SM_CORE_FIXTURES "/rules/") + QLatin1String(name);
}

// One test row per table row; a table that cannot be read fails the test instead.
void addRows(const char *file, int columns, const QByteArray &kind = {}) {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("valid");
    QString error;
    const QList<rules_table::Row> rows = rules_table::read(table(file), columns, &error);
    if (!error.isEmpty())
        QFAIL(qPrintable(error));
    for (const rules_table::Row &row : rows) {
        if (kind.isEmpty() || row.kind == kind)
            QTest::newRow(rules_table::title(row).constData()) << row.name << row.valid;
    }
}

// The valid names of one kind in actions.txt, in file order.
QStringList validActions(const QByteArray &kind) {
    QString error;
    QStringList names;
    for (const rules_table::Row &row : rules_table::read(table("actions.txt"), 3, &error)) {
        if (row.kind == kind && row.valid)
            names.append(QString::fromUtf8(row.name));
    }
    return names;
}

// What the daemon's 422 and schema show: the pattern, plus the length and ".." rules.
bool byPattern(const QString &pattern, const QString &name, bool allowDotDot) {
    const QRegularExpression re(pattern);
    return re.match(name).hasMatch() && name.size() <= kMaxNameLength &&
           (allowDotDot || !name.contains(QLatin1String("..")));
}

} // namespace

class CoreRules final : public QObject {
    Q_OBJECT

private slots:
    void serviceNames_data() { addRows("service-names.txt", 2); }
    void serviceNames() {
        QFETCH(QByteArray, name);
        QFETCH(bool, valid);
        const QString text = QString::fromUtf8(name);
        QCOMPARE(isValidServiceName(text), valid);
        QCOMPARE(byPattern(serviceNamePattern(), text, false), valid);
    }

    void dockerNames_data() { addRows("docker-names.txt", 2); }
    void dockerNames() {
        QFETCH(QByteArray, name);
        QFETCH(bool, valid);
        const QString text = QString::fromUtf8(name);
        QCOMPARE(isValidDockerName(text), valid);
        QCOMPARE(byPattern(dockerNamePattern(), text, true), valid);
    }

    void serviceActions_data() { addRows("actions.txt", 3, "service"); }
    void serviceActions() {
        QFETCH(QByteArray, name);
        QFETCH(bool, valid);
        const QString text = QString::fromUtf8(name);
        const auto action = parseServiceAction(text);
        QCOMPARE(action.has_value(), valid);
        if (action)
            QCOMPARE(toString(*action), text);
    }

    void dockerActions_data() { addRows("actions.txt", 3, "docker"); }
    void dockerActions() {
        QFETCH(QByteArray, name);
        QFETCH(bool, valid);
        const QString text = QString::fromUtf8(name);
        const auto action = parseDockerAction(text);
        QCOMPARE(action.has_value(), valid);
        if (action)
            QCOMPARE(toString(*action), text);
    }

    void actionLists() {
        QString error;
        for (const rules_table::Row &row : rules_table::read(table("actions.txt"), 3, &error))
            QVERIFY2(row.kind == "service" || row.kind == "docker", rules_table::title(row));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(serviceActionNames(), validActions("service"));
        QCOMPARE(dockerActionNames(), validActions("docker"));
        QCOMPARE(toString(ServiceAction::Up), QStringLiteral("up"));
        QCOMPARE(toString(DockerAction::Restart), QStringLiteral("restart"));
        QCOMPARE(choiceList(serviceActionNames()), QStringLiteral("up, down or restart"));
        QCOMPARE(choiceList(dockerActionNames()), QStringLiteral("start, stop or restart"));
        QCOMPARE(choiceList({QStringLiteral("a"), QStringLiteral("b")}), QStringLiteral("a or b"));
        QCOMPARE(choiceList({QStringLiteral("a")}), QStringLiteral("a"));
        QCOMPARE(choiceList({}), QString());
    }

    void exposure_data() {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("tokensEmpty");
        QTest::addColumn<bool>("metricsOpen");
        QTest::addColumn<Exposure>("exposed");
        QTest::addRow("any, no tokens") << "0.0.0.0" << true << false << Exposure::Everything;
        QTest::addRow("any, tokens") << "0.0.0.0" << false << false << Exposure::None;
        QTest::addRow("any v6, no tokens") << "::" << true << false << Exposure::Everything;
        QTest::addRow("lan, no tokens") << "192.168.1.20" << true << false << Exposure::Everything;
        QTest::addRow("loopback") << "127.0.0.1" << true << false << Exposure::None;
        QTest::addRow("loopback /8") << "127.0.0.53" << true << false << Exposure::None;
        QTest::addRow("loopback v6") << "::1" << true << false << Exposure::None;
        QTest::addRow("localhost") << "localhost" << true << false << Exposure::None;
        QTest::addRow("a name is not loopback")
            << "robot.local" << true << false << Exposure::Everything;
        // api.metrics_open: only /metrics, and only where tokens guard the rest.
        QTest::addRow("any, tokens, metrics open")
            << "0.0.0.0" << false << true << Exposure::Metrics;
        QTest::addRow("any, no tokens, metrics open")
            << "0.0.0.0" << true << true << Exposure::Everything;
        QTest::addRow("loopback, tokens, metrics open")
            << "127.0.0.1" << false << true << Exposure::None;
        QTest::addRow("localhost, no tokens, metrics open")
            << "localhost" << true << true << Exposure::None;
    }
    void exposure() {
        QFETCH(QString, host);
        QFETCH(bool, tokensEmpty);
        QFETCH(bool, metricsOpen);
        QFETCH(Exposure, exposed);
        QCOMPARE(sm::exposure(host, tokensEmpty, metricsOpen), exposed);
    }

    void exposureTexts() {
        QCOMPARE(exposureWarning(QStringLiteral("0.0.0.0")),
                 QStringLiteral("The API listens on 0.0.0.0 without access tokens"));
        QVERIFY(exposureStartupWarning(QStringLiteral("http://0.0.0.0:8081"))
                    .startsWith(QLatin1String("WARNING: the API on http://0.0.0.0:8081 is open")));
        QCOMPARE(exposureWarning(QStringLiteral("0.0.0.0"), Exposure::Metrics),
                 QStringLiteral("The API listens on 0.0.0.0 with /metrics open without a token "
                                "(api.metrics_open)"));
        QVERIFY(exposureStartupWarning(QStringLiteral("http://0.0.0.0:8081"), Exposure::Metrics)
                    .startsWith(QLatin1String("WARNING: GET http://0.0.0.0:8081/metrics is open "
                                              "to the network without a token")));
    }

    void dockerSocket_data() {
        QTest::addColumn<QString>("configured");
        QTest::addColumn<QString>("dockerHost");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("warns");
        QTest::addRow("default") << ""
                                 << ""
                                 << "/var/run/docker.sock" << false;
        QTest::addRow("configured") << "/x.sock"
                                    << ""
                                    << "/x.sock" << false;
        QTest::addRow("configured beats env") << "/x.sock"
                                              << "unix:///run/podman.sock"
                                              << "/x.sock" << false;
        QTest::addRow("env") << ""
                             << "unix:///run/user/1/docker.sock"
                             << "/run/user/1/docker.sock" << false;
        QTest::addRow("tcp ignored") << ""
                                     << "tcp://10.0.0.1:2375"
                                     << "/var/run/docker.sock" << true;
        QTest::addRow("tcp ignored, configured") << "/x.sock"
                                                 << "tcp://10.0.0.1:2375"
                                                 << "/x.sock" << true;
        QTest::addRow("unix without a path") << ""
                                             << "unix://"
                                             << "/var/run/docker.sock" << true;
    }
    void dockerSocket() {
        QFETCH(QString, configured);
        QFETCH(QString, dockerHost);
        QFETCH(QString, path);
        QFETCH(bool, warns);
        const DockerSocket socket = resolveDockerSocket(configured, dockerHost);
        QCOMPARE(socket.path, path);
        QCOMPARE(!socket.warning.isEmpty(), warns);
        if (warns)
            QVERIFY(socket.warning.contains(dockerHost));
    }
};

QTEST_GUILESS_MAIN(CoreRules)
#include "core_rules.moc"

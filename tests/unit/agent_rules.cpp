// The agent's twins of core's rules (service names, control actions), against the tables
// core_rules.cpp reads too (tests/fixtures/rules/): the agent decides, the daemon must agree.

#include "../fixtures/rules/RulesTable.h"
#include "ControlAction.h"
#include "Services.h"

#include <QTest>

#include <string_view>

using namespace agent;

namespace {

// One test row per table row; a table that cannot be read fails the test instead.
void addRows(const char *file, int columns, const QByteArray &kind = {}) {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("valid");
    QString error;
    const QList<rules_table::Row> rows = rules_table::read(
        QStringLiteral(SM_TEST_FIXTURES "/rules/") + QLatin1String(file), columns, &error);
    if (!error.isEmpty())
        QFAIL(qPrintable(error));
    for (const rules_table::Row &row : rows) {
        if (kind.isEmpty() || row.kind == kind)
            QTest::newRow(rules_table::title(row).constData()) << row.name << row.valid;
    }
}

std::string_view view(const QByteArray &bytes) {
    return {bytes.constData(), size_t(bytes.size())};
}

} // namespace

class AgentRules final : public QObject {
    Q_OBJECT

private slots:
    void serviceNames_data() { addRows("service-names.txt", 2); }
    void serviceNames() {
        QFETCH(QByteArray, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidServiceName(view(name)), valid);
    }

    void actions_data() { addRows("actions.txt", 3, "service"); }
    void actions() {
        QFETCH(QByteArray, name);
        QFETCH(bool, valid);
        QCOMPARE(isControlAction(view(name)), valid);
    }
};

QTEST_APPLESS_MAIN(AgentRules)
#include "agent_rules.moc"

// The route table: how an encoded path splits into decoded segments, and which route, method
// list and parameters a path finds.

#include "http/RouteTable.h"

#include <QTest>

using namespace sm;

class HeadlessRoutes final : public QObject {
    Q_OBJECT

private slots:
    void split_data() {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QStringList>("segments"); // {"!"}: refused
        QTest::addRow("root") << QByteArray("/") << QStringList();
        QTest::addRow("plain") << QByteArray("/containers/demo/services/web/status")
                               << QStringList{"containers", "demo", "services", "web", "status"};
        QTest::addRow("empty segments")
            << QByteArray("//containers///demo/") << QStringList{"containers", "demo"};
        QTest::addRow("no leading slash") << QByteArray("a/b") << QStringList{"a", "b"};
        QTest::addRow("encoded slash stays") << QByteArray("/a%2Fb/c") << QStringList{"a/b", "c"};
        QTest::addRow("encoded utf-8") << QByteArray("/caf%C3%A9") << QStringList{"café"};
        QTest::addRow("raw utf-8") << QByteArray("/caf\xc3\xa9") << QStringList{"café"};
        QTest::addRow("encoded space") << QByteArray("/a%20b") << QStringList{"a b"};
        QTest::addRow("lone percent") << QByteArray("/100%") << QStringList{"100%"};
        QTest::addRow("encoded invalid utf-8") << QByteArray("/a%FFb") << QStringList{"!"};
        QTest::addRow("raw invalid utf-8") << QByteArray("/a\xffz") << QStringList{"!"};
        QTest::addRow("overlong slash") << QByteArray("/%C0%AF") << QStringList{"!"};
        QTest::addRow("truncated sequence") << QByteArray("/%C3") << QStringList{"!"};
    }
    void split() {
        QFETCH(QByteArray, path);
        QFETCH(QStringList, segments);
        QStringList got{"left over"};
        const bool ok = RouteTable::splitPath(path, got);
        if (segments == QStringList{"!"}) {
            QVERIFY(!ok);
            return;
        }
        QVERIFY(ok);
        QCOMPARE(got, segments);
    }

    void find() {
        RouteTable table;
        const auto none = [](HttpExchange *, const PathParams &) -> std::optional<ApiError> {
            return std::nullopt;
        };
        table.add("GET", "/containers/{container}/services/status", Access::Read, {}, none);
        table.add("GET", "/containers/{container}/services/{service}/status", Access::Read, {},
                  none);
        table.add("POST", "/containers/{container}/services/{service}", Access::Control, {}, none);
        table.add("GET", "/docker/containers/{name}/status", Access::Read, {}, none);

        // A literal segment wins where it is one; a capture takes any other.
        auto m = table.find("GET", "/containers/demo/services/status");
        QVERIFY(m.route);
        QCOMPARE(m.pattern, QString("/containers/{container}/services/status"));
        QCOMPARE(m.params.container, QString("demo"));
        QVERIFY(m.params.service.isEmpty());

        m = table.find("GET", "/containers/de%20mo/services/web/status");
        QVERIFY(m.route);
        QCOMPARE(m.pattern, QString("/containers/{container}/services/{service}/status"));
        QCOMPARE(m.params.container, QString("de mo"));
        QCOMPARE(m.params.service, QString("web"));

        m = table.find("GET", "/docker/containers/x/status");
        QCOMPARE(m.params.name, QString("x"));

        // The path is known, the method is not: no route, and the methods it takes.
        m = table.find("DELETE", "/containers/demo/services/web");
        QVERIFY(!m.route);
        QCOMPARE(m.allowed, QByteArrayList{"POST"});
        QCOMPARE(m.pattern, QString("/containers/{container}/services/{service}"));

        m = table.find("GET", "/containers/demo/nothing/web/status");
        QVERIFY(!m.route);
        QVERIFY(m.allowed.isEmpty());
        m = table.find("GET", "/containers/a%FF/services/status");
        QVERIFY(!m.route);
        QVERIFY(m.allowed.isEmpty());
    }
};

QTEST_APPLESS_MAIN(HeadlessRoutes)
#include "headless_routes.moc"

// Service names, request targets, response framing and the atomic run-script
// write of the agent.

#include "Http.h"
#include "Services.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace agent;

class AgentServices final : public QObject {
    Q_OBJECT

private slots:
    void names_data();
    void names();
    void targets_data();
    void targets();
    void responses();
    void atomicReplaceKeepsMode();
    void atomicReplaceFailureLeavesNothing();
    void listFollowsTheScanDirectory();
};

void AgentServices::names_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("valid");
    QTest::addRow("plain") << QByteArray("web") << true;
    QTest::addRow("all-chars") << QByteArray("Ros2_node.v1@robot-3") << true;
    QTest::addRow("digit-first") << QByteArray("1svc") << true;
    QTest::addRow("empty") << QByteArray("") << false;
    QTest::addRow("dot") << QByteArray(".") << false;
    QTest::addRow("dotdot") << QByteArray("..") << false;
    QTest::addRow("inner-dotdot") << QByteArray("a..b") << false;
    QTest::addRow("hidden") << QByteArray(".s6-svscan") << false;
    QTest::addRow("slash") << QByteArray("a/b") << false;
    QTest::addRow("dash-first") << QByteArray("-a") << false;
    QTest::addRow("underscore-first") << QByteArray("_a") << false;
    QTest::addRow("space") << QByteArray("a b") << false;
    QTest::addRow("nul") << QByteArray("a\0b", 3) << false;
    QTest::addRow("newline") << QByteArray("a\nb") << false;
    QTest::addRow("utf8") << QByteArray("caf\xc3\xa9") << false;
    QTest::addRow("too-long") << QByteArray(256, 'a') << false;
    QTest::addRow("longest") << QByteArray(255, 'a') << true;
}

void AgentServices::names() {
    QFETCH(QByteArray, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidServiceName(std::string_view(name.constData(), size_t(name.size()))), valid);
}

void AgentServices::targets_data() {
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QStringList>("segments"); // empty list + "!" means rejected
    QTest::addColumn<QString>("query");
    QTest::addRow("root") << QByteArray("/") << QStringList() << "";
    QTest::addRow("services") << QByteArray("/services") << QStringList{"services"} << "";
    QTest::addRow("encoded-slash")
        << QByteArray("/services/a%2Fb/status") << QStringList{"services", "a/b", "status"} << "";
    QTest::addRow("trailing") << QByteArray("/services/") << QStringList{"services", ""} << "";
    QTest::addRow("query") << QByteArray("/services/a/logs?tail=5&strip_ansi=true&x=a+b%21")
                           << QStringList{"services", "a", "logs"}
                           << "strip_ansi=true;tail=5;x=a b!";
    QTest::addRow("empty-pairs") << QByteArray("/?&&a&b=") << QStringList() << "a=;b=";
    QTest::addRow("bad-escape") << QByteArray("/services/%zz") << QStringList{"!"} << "";
    QTest::addRow("short-escape") << QByteArray("/services/%2") << QStringList{"!"} << "";
    QTest::addRow("absolute") << QByteArray("http://host/services") << QStringList{"!"} << "";
    QTest::addRow("star") << QByteArray("*") << QStringList{"!"} << "";
    QTest::addRow("bad-query-escape") << QByteArray("/?a=%g0") << QStringList{"!"} << "";
}

void AgentServices::targets() {
    QFETCH(QByteArray, url);
    QFETCH(QStringList, segments);
    QFETCH(QString, query);
    const auto target = parseTarget(url.toStdString());
    if (segments == QStringList{"!"}) {
        QVERIFY(!target);
        return;
    }
    QVERIFY(target);
    QStringList got;
    for (const auto &s : target->segments)
        got << QString::fromStdString(s);
    QCOMPARE(got, segments);
    QStringList pairs;
    for (const auto &[k, v] : target->query)
        pairs << QString::fromStdString(k + '=' + v);
    QCOMPARE(pairs.join(';'), query);
}

void AgentServices::responses() {
    Response r = errorResponse(405, "Use \"GET\".");
    r.headers.emplace_back("Allow", "GET");
    QCOMPARE(serializeResponse(r, true),
             std::string("HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\n"
                         "Allow: GET\r\nContent-Length: 38\r\nConnection: keep-alive\r\n\r\n"
                         "{\"error\":\"Use \\\"GET\\\".\",\"detail\":null}"));
    QCOMPARE(
        serializeResponse(jsonResponse(200, "{}"), false),
        std::string("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                    "Connection: close\r\n\r\n{}"));
    QCOMPARE(chunk("hello"), std::string("5\r\nhello\r\n"));
    QCOMPARE(chunk(std::string(300, 'x')).substr(0, 5), std::string("12c\r\n"));
    QCOMPARE(chunk(""), std::string()); // never the terminating chunk by accident
}

void AgentServices::atomicReplaceKeepsMode() {
    QTemporaryDir dir;
    const QString path = dir.filePath("run");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("old");
    f.close();
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0750), 0);
    QCOMPARE(replaceFileAtomically(path.toStdString(), "#!/bin/sh\nnew\n"), std::string());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("#!/bin/sh\nnew\n"));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0750));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"run"});
}

void AgentServices::atomicReplaceFailureLeavesNothing() {
    QTemporaryDir dir;
    // The rename cannot replace a directory: the write fails at the last step.
    QVERIFY(QDir().mkpath(dir.filePath("run/inside")));
    const std::string error = replaceFileAtomically(dir.filePath("run").toStdString(), "x");
    QVERIFY(!error.empty());
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{"run"});
    QVERIFY(!replaceFileAtomically(dir.filePath("missing").toStdString(), "x").empty());
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{"run"});
}

namespace {

void addService(const QString &scanDir, const QString &name) {
    QVERIFY(QDir(scanDir).mkpath(name));
    QFile run(scanDir + '/' + name + "/run");
    QVERIFY(run.open(QIODevice::WriteOnly));
}

QStringList listed(const Services &services) {
    QStringList names;
    for (const auto &name : services.list())
        names << QString::fromStdString(name);
    return names;
}

} // namespace

void AgentServices::listFollowsTheScanDirectory() {
    // The listing is cached by the directory's identity and mtime, and files are looked up
    // relative to a descriptor of it: a service added, and a scan directory replaced as a
    // whole (as an image update may do), are both seen by the next request.
    QTemporaryDir root;
    const QString scan = root.filePath("service");
    addService(scan, "a");
    addService(scan, "b");
    Services services(scan.toStdString(), root.filePath("log").toStdString(), "");
    services.refresh();
    QCOMPARE(listed(services), QStringList({"a", "b"}));
    QVERIFY(services.exists("a"));

    addService(scan, "c");
    services.refresh();
    QCOMPARE(listed(services), QStringList({"a", "b", "c"}));

    QVERIFY(QDir(root.path()).rename("service", "service.old"));
    addService(scan, "d");
    services.refresh();
    QCOMPARE(listed(services), QStringList({"d"}));
    QVERIFY(services.exists("d"));
    QVERIFY(!services.exists("a"));

    QVERIFY(QDir(scan).removeRecursively());
    services.refresh();
    QCOMPARE(listed(services), QStringList());
    QVERIFY(!services.exists("d"));
    addService(scan, "e");
    services.refresh();
    QCOMPARE(listed(services), QStringList({"e"}));
}

QTEST_APPLESS_MAIN(AgentServices)
#include "agent_services.moc"

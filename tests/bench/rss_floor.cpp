// The memory floor under system-managerd's RSS, for daemon_bench.sh: a program that loads what
// the daemon loads (its libraries, Qt's SQLite driver, an open SQLite database and a listening
// socket) and does nothing else. Most of a Qt program's resident memory is pages of its shared
// libraries that the dynamic loader touched; the daemon cannot be smaller than this.
//
//   bench_rss_floor      prints "ready" once set up, then idles until killed
#include <QCoreApplication>
#include <QLibraryInfo>
#include <QPluginLoader>
#include <QSqlDatabase>
#include <QSqlDriverPlugin>
#include <QSqlQuery>
#include <QTcpServer>

#include <cstdio>

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setLibraryPaths({}); // as the daemon: no TLS backend plugins
    QPluginLoader loader(QLibraryInfo::path(QLibraryInfo::PluginsPath) +
                         QStringLiteral("/sqldrivers/libqsqlite.so"));
    auto *plugin = qobject_cast<QSqlDriverPlugin *>(loader.instance());
    QSqlDriver *driver = plugin ? plugin->create(QStringLiteral("QSQLITE")) : nullptr;
    if (!driver) {
        std::fprintf(stderr, "bench_rss_floor: no SQLite driver: %s\n",
                     qPrintable(loader.errorString()));
        return 1;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(driver);
    db.setDatabaseName(QStringLiteral(":memory:"));
    QSqlQuery query(db);
    if (!db.open() || !query.exec(QStringLiteral("CREATE TABLE t (a INTEGER)")) ||
        !query.exec(QStringLiteral("INSERT INTO t VALUES (1)"))) {
        std::fprintf(stderr, "bench_rss_floor: SQLite failed\n");
        return 1;
    }
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    std::printf("ready\n");
    std::fflush(stdout);
    return app.exec();
}

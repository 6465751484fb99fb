#pragma once

#include <QJsonArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

// Options for S6Tree::addService() (outside the class so it can be a default argument).
struct S6ServiceOptions {
    bool downFile = false;   // a `down` file: supervised but not started
    int notificationFd = -1; // >= 0 writes `notification-fd` (readiness)
    bool logger = false;     // adds a `log` sub-service running s6-log
    QString loggerArgs = QStringLiteral("n20 s1000000"); // s6-log control directives
    QString finishScript;                                // non-empty writes an executable `finish`
};

// A real s6 supervision tree for tests: a private scan directory under a
// QTemporaryDir, services added on demand, one s6-svscan (Debian's s6) over it,
// and a teardown that leaves no process, socket or directory behind.
//
// Layout under root():
//   scan/<name>/run            service directories (also usable as --rc-source)
//   scan/<name>/log/run        optional logger: s6-log writing log/<name>/current
//   log/<name>/current         the logger's output (--logdir)
//
// Typical use:
//   S6Tree tree;
//   QVERIFY(tree.isValid());
//   QVERIFY(tree.addService("web", "#!/bin/sh\nexec sleep 100000\n"));
//   QVERIFY(tree.start());                           // s6-svscan + wait for supervisors
//   QTRY_VERIFY(tree.isUp("web"));
//   QCOMPARE(tree.svstat("web").left(3), "up ");
//   ... tree.stop() runs from the destructor too.
//
// Services may be added before or after start(); after start(), addService()
// triggers `s6-svscanctl -a` and waits until the new service is supervised.
// Every waiting function waits on a condition with a deadline, never a fixed sleep.
class S6Tree final {
public:
    using ServiceOptions = S6ServiceOptions;

    S6Tree();
    ~S6Tree();
    S6Tree(const S6Tree &) = delete;
    S6Tree &operator=(const S6Tree &) = delete;

    bool isValid() const { return m_root.isValid(); }
    QString root() const { return m_root.path(); }
    QString scanDir() const { return m_root.path() + "/scan"; }
    QString logDir() const { return m_root.path() + "/log"; }
    QString serviceDir(const QString &name) const { return scanDir() + '/' + name; }
    QString logFile(const QString &name) const { return logDir() + '/' + name + "/current"; }

    // Creates scan/<name> atomically (built aside, then renamed in) with an
    // executable run script. Returns false (see errorString()) on failure.
    bool addService(const QString &name, const QString &runScript,
                    const ServiceOptions &options = ServiceOptions());

    // Starts s6-svscan and waits (timeoutMs) until every added service is supervised.
    bool start(int timeoutMs = 10000);
    // `s6-svscanctl -t`, waits for s6-svscan to exit, then kills any process
    // still living in the tree. Safe to call twice.
    bool stop(int timeoutMs = 10000);
    bool isRunning() const;

    // Runs Debian's s6-svstat / s6-svc synchronously (test code only).
    // svstat() returns stdout without the trailing newline.
    QString svstat(const QString &name, const QStringList &extraArgs = QStringList()) const;
    bool svc(const QString &name, const QString &flags) const; // e.g. "-d", "-u", "-p"
    // What s6-svdt prints for the service, each line as a death object of the agent's and the
    // REST API's shape ({"time","exit_code","signal"}), newest first like theirs. A line it
    // cannot read is {"unparsed": line}; a failing s6-svdt is one {"s6-svdt failed": code}.
    QJsonArray svdtDeaths(const QString &name) const;

    bool isSupervised(const QString &name) const; // supervise/control has a reader
    bool isUp(const QString &name) const;         // s6-svstat -u says true
    bool waitUntilSupervised(const QString &name, int timeoutMs = 10000) const;
    bool waitUntilUp(const QString &name, int timeoutMs = 10000) const;

    QString errorString() const { return m_error; }

private:
    bool rescan();

    QTemporaryDir m_root;
    std::unique_ptr<QProcess> m_svscan;
    QStringList m_services;
    QString m_error;
};

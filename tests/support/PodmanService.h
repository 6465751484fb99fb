#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

// podman's Docker-compatible Engine API for tests: a private socket, storage and run state
// under a QTemporaryDir, the image localhost/tiny:latest (busybox), real containers, and a
// teardown that leaves no container, process or mount behind. It drives scripts/podman-service,
// so tests and developers use the same recipe.
//
//   PodmanService podman;                       // one per test executable (initTestCase)
//   if (!PodmanService::installed()) QSKIP("podman is not installed");
//   QVERIFY2(podman.start(), qPrintable(podman.errorString()));
//   const QString id = podman.run("web", "echo hi; exec sleep 100000");
//   DockerClient client(podman.socketPath());
//   ... podman.stop() runs from the destructor too.
class PodmanService final {
public:
    PodmanService();
    ~PodmanService();
    PodmanService(const PodmanService &) = delete;
    PodmanService &operator=(const PodmanService &) = delete;

    static bool installed();

    // Starts the service and waits until it answers /_ping. Returns false with errorString().
    // Also starts it again after stopService(), with the same containers. First removes what
    // test runs that crashed left behind (their owner process is gone).
    bool start(int timeoutMs = 60000);
    // Stops only the service, as when the Engine restarts; containers keep running.
    bool stopService();
    // Removes every container, stops the service, unmounts what is left, deletes the directory.
    void stop();
    bool isRunning() const { return m_running; }

    QString root() const { return m_dir.path(); }
    QString socketPath() const { return m_dir.path() + QStringLiteral("/docker.sock"); }
    QString errorString() const { return m_error; }
    qint64 startupMs() const { return m_startupMs; }

    // The podman CLI on the same storage. Returns false (errorString()) when it fails.
    bool podman(const QStringList &args, QString *output = nullptr, int timeoutMs = 60000);
    // Creates (and unless startIt is false, starts) a container of localhost/tiny:latest running
    // `sh -c script`, without network. Returns its 64-hex id, or empty on failure.
    QString run(const QString &name, const QString &script, bool tty = false, bool startIt = true);
    // Blocks until the container has exited (podman wait); returns its exit code or -1.
    int wait(const QString &name);
    // Mount points below root() (should be none after stop()).
    QStringList mountsBelowRoot() const;

private:
    static void reapAbandoned();
    bool script(const QStringList &args, QString *output, int timeoutMs);

    QTemporaryDir m_dir;
    QString m_path; // m_dir.path(), kept for messages after the directory is removed
    QString m_error;
    qint64 m_startupMs = -1;
    bool m_running = false;
};

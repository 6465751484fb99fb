#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QTimer>

namespace sm {

// The --demo stack: the demo services from resources/demo in a temporary scan directory,
// a real s6-svscan over them and the project's s6-agent for them. Everything starts and
// stops asynchronously; the temporary directory goes with the object.
class DemoStack final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoStack)
public:
    // extraServices adds that many plain `sleep` services (extra01, ...), e.g. for benchmarks.
    DemoStack(QString agentBinary, int extraServices, QObject *parent = nullptr);
    ~DemoStack() override;

    void start(); // emits ready() or failed()
    void stop();  // emits stopped() once s6-svscan and the agent are gone

    QString root() const { return m_dir.path(); }
    QString scanDir() const { return m_dir.path() + QStringLiteral("/service"); }
    QString logDir() const { return m_dir.path() + QStringLiteral("/log"); }
    QString agentSocket() const { return m_dir.path() + QStringLiteral("/agent.sock"); }
    // A config.yml for the stack: one container "demo" served by the demo agent.
    QString configPath() const { return m_dir.path() + QStringLiteral("/config.yml"); }

Q_SIGNALS:
    void ready();
    void failed(const QString &reason);
    void stopped();

private:
    bool writeTree(QString *error);
    void startAgent();
    void probeAgent();
    void checkStopped();
    void fail(const QString &reason);

    QString m_agentBinary;
    int m_extraServices;
    QTemporaryDir m_dir;
    QProcess m_svscan;
    QProcess m_agent;
    QProcess m_svscanctl;
    QTimer m_probe;
    QElapsedTimer m_since;
    bool m_stopping = false;
    bool m_failed = false;
    bool m_stoppedSent = false;
};

} // namespace sm

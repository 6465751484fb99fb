#pragma once

#include <QProcess>
#include <QTimer>
#include <QUrl>

namespace sm {

// Runs `system-managerd --demo --listen 127.0.0.1:0` as a child process and reports the
// address it listens on. Stopping is asynchronous: SIGTERM so the daemon can take its s6
// tree down cleanly, SIGKILL only if it has not exited after the grace period.
class DemoLauncher final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoLauncher)
public:
    DemoLauncher(QString program, QStringList arguments, QObject *parent = nullptr);
    ~DemoLauncher() override;

    void start();
    void stop();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    QUrl url() const { return m_url; }
    void setStartTimeout(int ms) { m_startTimeout.setInterval(ms); }
    void setStopGrace(int ms) { m_killTimer.setInterval(ms); }

    // The daemon's "listening on http://HOST:PORT" line as a URL to connect to.
    static QUrl parseListeningLine(const QString &line);

Q_SIGNALS:
    void ready(const QUrl &url);
    void failed(const QString &message);
    void stopped();
    void outputLine(const QString &line);

private:
    void onOutput();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QString m_program;
    QStringList m_arguments;
    QProcess m_process;
    QTimer m_startTimeout;
    QTimer m_killTimer;
    QByteArray m_partial;
    QStringList m_lastLines;
    QUrl m_url;
    bool m_stopping = false;
};

} // namespace sm

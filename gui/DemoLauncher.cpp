#include "DemoLauncher.h"

#include <QRegularExpression>

namespace sm {

DemoLauncher::DemoLauncher(QString program, QStringList arguments, QObject *parent)
    : QObject(parent)
    , m_program(std::move(program))
    , m_arguments(std::move(arguments)) {
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_process, &QProcess::readyRead, this, &DemoLauncher::onOutput);
    connect(&m_process, &QProcess::finished, this, &DemoLauncher::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            Q_EMIT failed(tr("Cannot start %1: %2").arg(m_program, m_process.errorString()));
    });
    m_startTimeout.setSingleShot(true);
    m_startTimeout.setInterval(30000);
    connect(&m_startTimeout, &QTimer::timeout, this, [this] {
        Q_EMIT failed(tr("%1 did not report its address within %2 s")
                          .arg(m_program)
                          .arg(m_startTimeout.interval() / 1000));
        stop();
    });
    m_killTimer.setSingleShot(true);
    m_killTimer.setInterval(10000);
    connect(&m_killTimer, &QTimer::timeout, &m_process, &QProcess::kill);
}

DemoLauncher::~DemoLauncher() {
    // Last resort when the owner did not stop() first: never leave the daemon behind.
    if (m_process.state() != QProcess::NotRunning) {
        m_process.disconnect(this);
        m_process.terminate();
    }
}

void DemoLauncher::start() {
    m_stopping = false;
    m_url.clear();
    m_process.start(m_program, m_arguments);
    m_startTimeout.start();
}

void DemoLauncher::stop() {
    m_startTimeout.stop();
    if (m_process.state() == QProcess::NotRunning) {
        Q_EMIT stopped();
        return;
    }
    m_stopping = true;
    m_process.terminate();
    m_killTimer.start();
}

QUrl DemoLauncher::parseListeningLine(const QString &line) {
    static const QRegularExpression re(QStringLiteral("listening on (https?://\\S+)"));
    const QRegularExpressionMatch m = re.match(line);
    if (!m.hasMatch())
        return {};
    QUrl url(m.captured(1));
    // A wildcard listen address is reachable through loopback.
    if (url.host() == QLatin1String("0.0.0.0") || url.host() == QLatin1String("::"))
        url.setHost(QStringLiteral("127.0.0.1"));
    return url.isValid() && url.port() > 0 ? url : QUrl();
}

void DemoLauncher::onOutput() {
    m_partial.append(m_process.readAll());
    qsizetype newline;
    while ((newline = m_partial.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_partial.left(newline)).trimmed();
        m_partial.remove(0, newline + 1);
        m_lastLines.append(line);
        if (m_lastLines.size() > 5)
            m_lastLines.removeFirst();
        Q_EMIT outputLine(line);
        if (m_url.isEmpty()) {
            const QUrl url = parseListeningLine(line);
            if (!url.isEmpty()) {
                m_url = url;
                m_startTimeout.stop();
                Q_EMIT ready(url);
            }
        }
    }
}

void DemoLauncher::onFinished(int exitCode, QProcess::ExitStatus status) {
    m_killTimer.stop();
    m_startTimeout.stop();
    if (!m_stopping)
        Q_EMIT failed(tr("%1 exited (%2): %3")
                          .arg(m_program,
                               status == QProcess::CrashExit ? tr("crashed")
                                                             : tr("exit code %1").arg(exitCode),
                               m_lastLines.join(QLatin1String(" | "))));
    Q_EMIT stopped();
}

} // namespace sm

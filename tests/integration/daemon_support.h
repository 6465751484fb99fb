#pragma once

// Shared by the daemon_* integration tests: runs build/bin/system-managerd as a child process
// with a generated config and `--listen 127.0.0.1:0`, learns its port from the
// "listening on http://..." line, and talks to it with QNetworkAccessManager.

#include "AgentProcess.h"
#include "ErrorShape.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <memory>

// Options for AgentProcess over an S6Tree (scan dir doubles as --rc-source).
template <typename Tree> auto agentOptions(const Tree &tree) {
    AgentProcess::Options options;
    options.scanDir = tree.scanDir();
    options.logDir = tree.logDir();
    options.rcSourceDir = tree.scanDir();
    return options;
}

struct DaemonAnswer {
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    qint64 ms = 0;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

class DaemonProcess final {
public:
    DaemonProcess() = default;
    ~DaemonProcess() { stop(); }
    DaemonProcess(const DaemonProcess &) = delete;
    DaemonProcess &operator=(const DaemonProcess &) = delete;

    static QString binary() { return QStringLiteral(SM_BIN_DIR "/system-managerd"); }

    // Writes `yaml` to a private config file and starts the daemon on a free port.
    bool startWithConfig(const QByteArray &yaml, const QStringList &extraArgs = {}) {
        QFile file(m_dir.filePath("config.yml"));
        if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size())
            return false;
        file.close();
        return start(QStringList{"--config", file.fileName(), "--listen", "127.0.0.1:0"} +
                     extraArgs);
    }

    bool start(const QStringList &args, int timeoutMs = 15000) {
        m_process = std::make_unique<QProcess>();
        m_stderr.clear();
        m_stdout.clear(); // a restart must not find the last run's "listening on" line
        // A wrapper (e.g. one that gives the daemon its own mounts) runs it, with its args.
        m_process->setProgram(m_wrapper.isEmpty() ? binary() : m_wrapper.first());
        m_process->setArguments(
            m_wrapper.isEmpty() ? args : m_wrapper.mid(1) + QStringList{binary()} + args);
        if (!m_environment.isEmpty())
            m_process->setProcessEnvironment(m_environment);
        m_process->start();
        QElapsedTimer clock;
        clock.start();
        static const QRegularExpression listening("listening on (http://[^\\s]+)");
        while (clock.elapsed() < timeoutMs) {
            const QRegularExpressionMatch m = listening.match(QString::fromUtf8(m_stdout));
            if (m.hasMatch()) {
                m_base = m.captured(1);
                return true;
            }
            if (m_process->state() == QProcess::NotRunning)
                return false;
            QSignalSpy more(m_process.get(), &QProcess::readyReadStandardOutput);
            if (m_process->bytesAvailable() == 0)
                more.wait(200);
            m_stdout += m_process->readAllStandardOutput();
        }
        return false;
    }

    // SIGTERM and wait; returns the exit code (-1 on crash or timeout). A daemon that did not
    // exit cleanly has its stderr printed, so the reason (a sanitizer report, say) is seen.
    int stop(int timeoutMs = 15000) {
        if (!m_process)
            return -1;
        int code = -1;
        if (m_process->state() == QProcess::NotRunning) {
            code = exitCode();
        } else {
            ::kill(pid_t(m_process->processId()), SIGTERM);
            if (waitFinished(timeoutMs)) {
                code = exitCode();
            } else {
                m_process->kill();
                waitFinished(5000);
            }
        }
        if (code != 0)
            qWarning().noquote() << "system-managerd did not exit cleanly (" << code << "):\n"
                                 << allStderr();
        return code;
    }

    // A local event loop rather than QSignalSpy::wait: after a failed check QTest's own loop
    // returns at once, and the teardown must still wait for the daemon's cleanup.
    bool waitFinished(int timeoutMs) {
        if (m_process->state() == QProcess::NotRunning)
            return true;
        QEventLoop loop;
        QObject::connect(m_process.get(), &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
        return m_process->state() == QProcess::NotRunning;
    }
    int exitCode() const {
        return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    }

    QByteArray allStdout() {
        m_stdout += m_process->readAllStandardOutput();
        return m_stdout;
    }
    // Everything the daemon wrote to stderr so far (reading it does not consume it).
    QByteArray allStderr() {
        if (m_process)
            m_stderr += m_process->readAllStandardError();
        return m_stderr;
    }
    QProcess *process() const { return m_process.get(); }
    QString baseUrl() const { return m_base; }
    QString dir() const { return m_dir.path(); }
    void setEnvironment(const QProcessEnvironment &env) { m_environment = env; }
    // The command that execs the daemon: program and leading arguments.
    void setWrapper(const QStringList &wrapper) { m_wrapper = wrapper; }

private:
    QByteArray m_stderr;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QString m_base;
    QProcessEnvironment m_environment;
    QStringList m_wrapper;
};

// Asynchronous HTTP against the daemon with QNetworkAccessManager.
class DaemonClient final {
public:
    explicit DaemonClient(QString base)
        : m_base(std::move(base)) {}

    QNetworkReply *send(const QByteArray &verb, const QByteArray &path, const QByteArray &body = {},
                        const QList<QPair<QByteArray, QByteArray>> &headers = {}) {
        QNetworkRequest request(QUrl::fromEncoded(m_base.toUtf8() + path));
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        for (const auto &[k, v] : headers)
            request.setRawHeader(k, v);
        return m_nam.sendCustomRequest(request, verb, body);
    }

    static DaemonAnswer collect(QNetworkReply *reply) {
        DaemonAnswer answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        for (const auto &[k, v] : reply->rawHeaderPairs())
            answer.headers.insert(k.toLower(), v);
        return answer;
    }

    DaemonAnswer call(const QByteArray &verb, const QByteArray &path, const QByteArray &body = {},
                      const QList<QPair<QByteArray, QByteArray>> &headers = {},
                      int timeoutMs = 15000) {
        QElapsedTimer clock;
        clock.start();
        QNetworkReply *reply = send(verb, path, body, headers);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        DaemonAnswer answer;
        if (reply->isFinished() || finished.wait(timeoutMs))
            answer = collect(reply);
        answer.ms = clock.elapsed();
        reply->deleteLater();
        return answer;
    }
    DaemonAnswer get(const QByteArray &path) { return call("GET", path); }

    QNetworkAccessManager &nam() { return m_nam; }

private:
    QString m_base;
    QNetworkAccessManager m_nam;
};

// The keys of a JSON object in the order they appear in the raw text (QJsonObject sorts them).
inline QStringList keyOrder(const QByteArray &objectText) {
    QStringList keys;
    int depth = 0;
    bool inString = false;
    QByteArray current;
    bool expectKey = false;
    for (qsizetype i = 0; i < objectText.size(); ++i) {
        const char c = objectText[i];
        if (inString) {
            if (c == '\\') {
                current += c;
                if (++i < objectText.size())
                    current += objectText.at(i);
                continue;
            }
            if (c == '"') {
                inString = false;
                if (expectKey && depth == 1)
                    keys.append(QString::fromUtf8(current));
                continue;
            }
            current += c;
            continue;
        }
        if (c == '"') {
            inString = true;
            current.clear();
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
            expectKey = c == '{' && depth == 1;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            expectKey = true;
        } else if (c == ':' && depth == 1) {
            expectKey = false;
        }
    }
    return keys;
}

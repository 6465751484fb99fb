#pragma once

#include <QObject>
#include <QPair>
#include <QString>

#include <memory>
#include <optional>

namespace sm {

class DemoStack;
class LocalStack;
class RestServer;

// What system-managerd's command line asks for.
struct DaemonOptions {
    QString configPath;                            // resolved --config / CONFIG_FILE
    std::optional<QPair<QString, quint16>> listen; // --listen, else config/default
    bool demo = false;                             // --demo
    int demoExtraServices = 0;                     // SM_DEMO_EXTRA_SERVICES
    bool accessLog = true;                         // off with --quiet
};

// system-managerd's life: config (or the demo stack), backend, REST server, and a clean,
// asynchronous shutdown. Asks main() to exit through exitRequested().
class Daemon final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Daemon)
public:
    explicit Daemon(DaemonOptions options, QObject *parent = nullptr);
    ~Daemon() override;

    void start();
    void shutdown();

Q_SIGNALS:
    // 0: clean exit; 1: could not run; 2: bad configuration.
    void exitRequested(int code);

private:
    void serve(const QString &configPath);
    void finish(int code);
    void release();

    void startHeapTrim();
    static constexpr int kHeapTrimIntervalMs = 30000;

    DaemonOptions m_options;
    std::unique_ptr<LocalStack> m_stack;
    std::unique_ptr<RestServer> m_server;
    std::unique_ptr<DemoStack> m_demo;
    bool m_shuttingDown = false;
    int m_exitCode = 0;
};

} // namespace sm

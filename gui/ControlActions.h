#pragma once

#include "backend/Backend.h"

#include <QPointer>

class QWidget;

namespace sm {

// Start / stop / restart on the selected services or Docker containers. Stopping and
// restarting ask first; a failure shows the daemon's own message, never nothing.
class ControlActions final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlActions)
public:
    enum Verb { Start, Stop, Restart };
    struct Target {
        bool docker = false;
        QString container; // services only
        QString name;      // service id or Docker container name
        QString label;     // what people call it
    };

    explicit ControlActions(QWidget *window);

    void setBackend(Backend *backend) { m_backend = backend; }
    // Off for unattended use (tests, scripts): act without asking.
    void setConfirm(bool confirm) { m_confirm = confirm; }
    bool confirms() const { return m_confirm; }
    void run(Verb verb, const QList<Target> &targets);

    static QString verbText(Verb verb);

Q_SIGNALS:
    // One line for the status bar, after every action (success or not).
    void reported(bool ok, const QString &message);
    void done();

private:
    void execute(Verb verb, const QList<Target> &targets);

    QWidget *m_window;
    QPointer<Backend> m_backend;
    bool m_confirm = true;
};

} // namespace sm

#include "ControlActions.h"
#include "rules/Rules.h"

#include <QMessageBox>
#include <QWidget>

#include <memory>

namespace sm {

namespace {
QString names(const QList<ControlActions::Target> &targets) {
    QStringList out;
    for (const auto &t : targets)
        out.append(t.label.isEmpty() ? t.name : t.label);
    return out.join(QLatin1String(", "));
}

QString pastTense(ControlActions::Verb verb) {
    switch (verb) {
    case ControlActions::Start:
        return QObject::tr("Started");
    case ControlActions::Stop:
        return QObject::tr("Stopped");
    case ControlActions::Restart:
        return QObject::tr("Restarted");
    }
    return {};
}
} // namespace

ControlActions::ControlActions(QWidget *window)
    : QObject(window)
    , m_window(window) {}

QString ControlActions::verbText(Verb verb) {
    switch (verb) {
    case Start:
        return tr("Start");
    case Stop:
        return tr("Stop");
    case Restart:
        return tr("Restart");
    }
    return {};
}

void ControlActions::run(Verb verb, const QList<Target> &targets) {
    if (targets.isEmpty() || !m_backend)
        return;
    if (verb == Start || !m_confirm) {
        execute(verb, targets);
        return;
    }
    // open(), not exec(): the window keeps updating while the question is up.
    auto *box = new QMessageBox(QMessageBox::Question, tr("%1?").arg(verbText(verb)),
                                tr("%1 %2?").arg(verbText(verb), names(targets)),
                                QMessageBox::Yes | QMessageBox::Cancel, m_window);
    box->setObjectName(QStringLiteral("confirmBox"));
    box->setInformativeText(verb == Stop ? tr("It stays down until started again.")
                                         : tr("It will be stopped and started again."));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, verb, targets] {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            execute(verb, targets);
        else
            Q_EMIT reported(true, tr("%1 cancelled").arg(verbText(verb)));
    });
    box->open();
}

void ControlActions::execute(Verb verb, const QList<Target> &targets) {
    struct Progress {
        int pending = 0;
        QStringList errors;
    };
    auto progress = std::make_shared<Progress>();
    progress->pending = int(targets.size());
    auto finishOne = [this, progress, verb, targets](const QString &error) {
        if (!error.isEmpty())
            progress->errors.append(error);
        if (--progress->pending > 0)
            return;
        Q_EMIT done();
        if (progress->errors.isEmpty()) {
            Q_EMIT reported(true, tr("%1 %2").arg(pastTense(verb), names(targets)));
            return;
        }
        const QString message = progress->errors.join(QLatin1Char('\n'));
        Q_EMIT reported(false, tr("%1 failed: %2").arg(verbText(verb), progress->errors.first()));
        auto *box = new QMessageBox(QMessageBox::Warning, tr("%1 failed").arg(verbText(verb)),
                                    message, QMessageBox::Ok, m_window);
        box->setObjectName(QStringLiteral("actionErrorBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    };
    // One verb, two vocabularies: s6's up/down/restart and Docker's start/stop/restart.
    const ServiceAction serviceAction = verb == Start  ? ServiceAction::Up
                                        : verb == Stop ? ServiceAction::Down
                                                       : ServiceAction::Restart;
    const DockerAction dockerAction = verb == Start  ? DockerAction::Start
                                      : verb == Stop ? DockerAction::Stop
                                                     : DockerAction::Restart;
    for (const Target &t : targets) {
        const QString who = t.docker ? t.name : t.container + QLatin1Char('/') + t.name;
        if (t.docker) {
            m_backend->dockerControl(
                this, t.name, toString(dockerAction), 10,
                [finishOne, who](Result<DockerControlResult> r) {
                    finishOne(r.ok() ? QString() : who + QLatin1String(": ") + r.error().message);
                });
        } else {
            m_backend->control(
                this, t.container, t.name, toString(serviceAction),
                [finishOne, who](Result<ControlResult> r) {
                    finishOne(r.ok() ? QString() : who + QLatin1String(": ") + r.error().message);
                });
        }
    }
}

} // namespace sm

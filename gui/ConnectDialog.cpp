#include "ConnectDialog.h"

#include "FleetEditor.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QVBoxLayout>

namespace sm {

namespace {
const char *const kRecentKey = "connect/recentRobots";
// A list of {name, url, token_file} maps: the fleet file's own keys.
const char *const kFleetKey = "fleet/robots";
const char *const kName = "name";
const char *const kUrl = "url";
const char *const kTokenFile = "token_file";
} // namespace

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_tabs(new QTabWidget(this))
    , m_url(new QComboBox(this))
    , m_token(new QLineEdit(this))
    , m_fleet(new FleetEditor(this))
    , m_error(new QLabel(this)) {
    setWindowTitle(tr("Connect to a robot"));
    m_url->setEditable(true);
    m_url->addItems(recentRobots());
    m_url->setMinimumWidth(320);
    m_url->lineEdit()->setPlaceholderText(QStringLiteral("http://robot:8081"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("only if the daemon requires one"));
    m_fleet->setFleet(rememberedFleet());
    m_error->setObjectName(QStringLiteral("connectError"));
    m_error->setStyleSheet(QStringLiteral("color:#c62828"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto *robot = new QWidget(this);
    auto *form = new QFormLayout(robot);
    form->addRow(tr("Daemon address:"), m_url);
    form->addRow(tr("API token:"), m_token);
    m_tabs->addTab(robot, tr("Robot"));
    m_tabs->addTab(m_fleet, tr("Fleet"));
    // An error is about the tab it came from.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { showError({}); });
    connect(m_fleet, &FleetEditor::errorChanged, this, &ConnectDialog::showError);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

QUrl ConnectDialog::url() const {
    return normalizeUrl(m_url->currentText());
}

QString ConnectDialog::token() const {
    return m_token->text().trimmed();
}

void ConnectDialog::setUrl(const QString &url) {
    m_url->setEditText(url);
}

QList<FleetRobot> ConnectDialog::fleet() const {
    return m_fleet->fleet();
}

void ConnectDialog::setFleet(const QList<FleetRobot> &robots) {
    m_fleet->setFleet(robots);
}

void ConnectDialog::showFleetTab() {
    m_tabs->setCurrentWidget(m_fleet);
}

QTableWidget *ConnectDialog::fleetTable() const {
    return m_fleet->table();
}

void ConnectDialog::showError(const QString &text) {
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void ConnectDialog::accept() {
    if (m_tabs->currentWidget() == m_fleet) {
        if (const QString problem = m_fleet->problem(); !problem.isEmpty()) {
            showError(problem);
            return;
        }
        rememberFleet(fleet());
        m_choice = Choice::Fleet;
        QDialog::accept();
        return;
    }
    const QUrl u = url();
    if (!u.isValid() || u.isEmpty()) {
        showError(tr("Enter an address such as http://robot:8081"));
        return;
    }
    rememberRobot(u);
    m_choice = Choice::Robot;
    QDialog::accept();
}

QUrl ConnectDialog::normalizeUrl(const QString &text) {
    return normalizeDaemonUrl(text);
}

QStringList ConnectDialog::recentRobots() {
    return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void ConnectDialog::rememberRobot(const QUrl &url) {
    QStringList recent = recentRobots();
    const QString text = url.toString();
    recent.removeAll(text);
    recent.prepend(text);
    while (recent.size() > maxRecent)
        recent.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), recent);
}

QList<FleetRobot> ConnectDialog::rememberedFleet() {
    QList<FleetRobot> robots;
    const QVariantList list = QSettings().value(QLatin1String(kFleetKey)).toList();
    for (const QVariant &entry : list) {
        const QVariantMap robot = entry.toMap();
        robots.append({robot.value(QLatin1String(kName)).toString(),
                       normalizeDaemonUrl(robot.value(QLatin1String(kUrl)).toString()),
                       robot.value(QLatin1String(kTokenFile)).toString()});
    }
    return robots;
}

void ConnectDialog::rememberFleet(const QList<FleetRobot> &robots) {
    QVariantList list;
    for (const FleetRobot &robot : robots)
        list.append(QVariantMap{{QLatin1String(kName), robot.name},
                                {QLatin1String(kUrl), robot.url.toString()},
                                {QLatin1String(kTokenFile), robot.tokenFile}});
    QSettings().setValue(QLatin1String(kFleetKey), list);
}

} // namespace sm

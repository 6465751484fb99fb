#include "ConnectDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace sm {

namespace {
const char *const kRecentKey = "connect/recentRobots";
}

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_url(new QComboBox(this))
    , m_token(new QLineEdit(this))
    , m_error(new QLabel(this)) {
    setWindowTitle(tr("Connect to a robot"));
    m_url->setEditable(true);
    m_url->addItems(recentRobots());
    m_url->setMinimumWidth(320);
    m_url->lineEdit()->setPlaceholderText(QStringLiteral("http://robot:8081"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("only if the daemon requires one"));
    m_error->setStyleSheet(QStringLiteral("color:#c62828"));
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("Daemon address:"), m_url);
    form->addRow(tr("API token:"), m_token);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
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

void ConnectDialog::accept() {
    const QUrl u = url();
    if (!u.isValid() || u.isEmpty()) {
        m_error->setText(tr("Enter an address such as http://robot:8081"));
        m_error->show();
        return;
    }
    rememberRobot(u);
    QDialog::accept();
}

QUrl ConnectDialog::normalizeUrl(const QString &text) {
    QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    if (!t.contains(QLatin1String("://")))
        t.prepend(QLatin1String("http://"));
    QUrl u(t, QUrl::StrictMode);
    if (!u.isValid() || u.host().isEmpty() ||
        (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")))
        return {};
    if (u.path() == QLatin1String("/"))
        u.setPath({}); // StripTrailingSlash keeps a lone "/"
    return u.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
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

} // namespace sm

#pragma once

#include <QDialog>
#include <QUrl>

class QComboBox;
class QLabel;
class QLineEdit;

namespace sm {

// Asks for a robot's system-managerd address (and an optional API token), offering the
// robots connected to before. Tokens are never stored.
class ConnectDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)
public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    QUrl url() const;
    QString token() const;
    void setUrl(const QString &url);

    // Most recent first, at most maxRecent.
    static QStringList recentRobots();
    static void rememberRobot(const QUrl &url);
    // "robot:8081" or "http://robot:8081/" → "http://robot:8081"; invalid → empty URL.
    static QUrl normalizeUrl(const QString &text);
    static constexpr int maxRecent = 10;

    void accept() override;

private:
    QComboBox *m_url;
    QLineEdit *m_token;
    QLabel *m_error;
};

} // namespace sm

#pragma once

#include "config/FleetFile.h"

#include <QDialog>
#include <QUrl>

class QComboBox;
class QLabel;
class QLineEdit;
class QTabWidget;
class QTableWidget;

namespace sm {

class FleetEditor;

// Asks for one robot's system-managerd address (and an optional API token), offering the
// robots connected to before, or for a fleet of robots. Tokens are never stored; a fleet
// keeps only the names of its token files.
class ConnectDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)
public:
    enum class Choice { Robot, Fleet };

    explicit ConnectDialog(QWidget *parent = nullptr);

    QUrl url() const;
    QString token() const;
    void setUrl(const QString &url);

    // The tab that was current when the dialog was accepted.
    Choice choice() const { return m_choice; }
    QList<FleetRobot> fleet() const;
    void setFleet(const QList<FleetRobot> &robots);
    void showFleetTab();
    QTabWidget *tabs() const { return m_tabs; }
    QTableWidget *fleetTable() const;

    // Most recent first, at most maxRecent.
    static QStringList recentRobots();
    static void rememberRobot(const QUrl &url);
    // "robot:8081" or "http://robot:8081/" → "http://robot:8081"; invalid → empty URL.
    static QUrl normalizeUrl(const QString &text);
    static constexpr int maxRecent = 10;
    // The fleet last connected to.
    static QList<FleetRobot> rememberedFleet();
    static void rememberFleet(const QList<FleetRobot> &robots);

    void accept() override;

private:
    void showError(const QString &text);

    QTabWidget *m_tabs;
    QComboBox *m_url;
    QLineEdit *m_token;
    FleetEditor *m_fleet;
    QLabel *m_error;
    Choice m_choice = Choice::Robot;
};

} // namespace sm

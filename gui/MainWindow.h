#pragma once

#include "ControlActions.h"

#include <QMainWindow>
#include <QPointer>
#include <QUrl>

#include "fleet/Fleet.h"

class QAction;
class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTreeView;

namespace sm {

class Backend;
class ContainerListModel;
class DockerTableModel;
class FleetOverviewModel;
class FleetTreeModel;
class HistoryPanel;
class LogPanel;
class ServiceTableModel;
class TextFilterProxy;

// The dashboard: containers on the left, the selected container's services (or the host's
// Docker containers) in the centre, the selected one's live log and history at the bottom.
// The same window whether the Backend is local or a robot's daemon across the network.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // The backend is not owned; `where` tells people what they are looking at.
    void setBackend(Backend *backend, const QString &where);
    Backend *backend() const { return m_backend; }
    // Fleet mode: the robots on the left, each expanding into its containers, and the fleet
    // overview while no robot is selected. The fleet is not owned; null leaves fleet mode.
    void setFleet(Fleet *fleet);
    Fleet *fleet() const { return m_fleet; }
    FleetTreeModel *fleetModel() const { return m_fleetModel; }
    FleetOverviewModel *overviewModel() const { return m_overviewModel; }
    QTreeView *fleetView() const { return m_fleetView; }
    QTableView *overviewView() const { return m_overviewView; }
    bool overviewShown() const;
    // Selects a fleet entry: the overview (robot -1), a robot (no container), one of its
    // containers, or its Docker containers (docker true).
    bool selectFleetEntry(int robot, const QString &container = {}, bool docker = false);
    // The robot whose backend the window shows, -1 for none.
    int shownRobot() const { return m_shownRobot; }
    // A line in the status bar while there is no backend yet (e.g. the demo is starting).
    void setPendingConnection(const QString &text);

    ContainerListModel *containerModel() const { return m_containers; }
    ServiceTableModel *serviceModel() const { return m_services; }
    DockerTableModel *dockerModel() const { return m_docker; }
    TextFilterProxy *serviceProxy() const { return m_serviceProxy; }
    ControlActions *controlActions() const { return m_actions; }
    LogPanel *logPanel() const { return m_log; }
    HistoryPanel *historyPanel() const { return m_history; }
    // The bottom panel's tabs: Log, History.
    QTabWidget *bottomTabs() const { return m_bottom; }
    QListView *containerView() const { return m_containerView; }
    QTableView *serviceView() const { return m_serviceView; }
    QTableView *dockerView() const { return m_dockerView; }
    QLabel *linkLabel() const { return m_link; }
    QAction *action(ControlActions::Verb verb) const;

    bool selectContainer(const QString &name);
    bool selectDocker();
    // Selects the row of this service (or Docker container) in the visible table.
    bool selectRow(const QString &name);
    void runAction(ControlActions::Verb verb);
    void setFilterText(const QString &text);
    // Asks for a robot's address (non-blocking); accepting emits connectRequested.
    void openConnectDialog();

Q_SIGNALS:
    void connectRequested(const QUrl &url, const QString &token);
    void fleetRequested(const QList<sm::FleetRobot> &robots);

private:
    void buildActions();
    void buildLayout();
    void buildFleetViews();
    void onFleetEntryChosen(const QModelIndex &index);
    void showOverview();
    void onContainersReset();
    void onContainerChosen();
    void onCurrentRowChanged();
    void updateActions();
    void updateBanner();
    void showContextMenu(const QPoint &pos);
    void setLink(int state, const QString &text); // -1 unknown, 0 down, 1 alive
    bool dockerShown() const;
    QList<ControlActions::Target> selectedTargets() const;

    QPointer<Backend> m_backend;
    QString m_where;
    bool m_backendReportsLink = false;
    ContainerListModel *m_containers;
    ServiceTableModel *m_services;
    DockerTableModel *m_docker;
    TextFilterProxy *m_serviceProxy;
    TextFilterProxy *m_dockerProxy;
    ControlActions *m_actions;
    QListView *m_containerView = nullptr;
    QStackedWidget *m_left = nullptr;
    QPointer<Fleet> m_fleet;
    FleetTreeModel *m_fleetModel = nullptr;
    FleetOverviewModel *m_overviewModel = nullptr;
    QTreeView *m_fleetView = nullptr;
    QTableView *m_overviewView = nullptr;
    int m_shownRobot = -1;
    bool m_pendingDocker = false; // select Docker once the shown robot's list has loaded
    QTableView *m_serviceView = nullptr;
    QTableView *m_dockerView = nullptr;
    QStackedWidget *m_centre = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_link = nullptr;
    QLineEdit *m_filter = nullptr;
    LogPanel *m_log = nullptr;
    HistoryPanel *m_history = nullptr;
    QTabWidget *m_bottom = nullptr;
    QAction *m_start = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_restart = nullptr;
    QAction *m_refresh = nullptr;
    QString m_selectedContainer;
};

} // namespace sm

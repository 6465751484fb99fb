// MainWindow in fleet mode: the robots tree, the overview, and which robot is shown.
#include "MainWindow.h"

#include "ContainerListModel.h"
#include "DockerTableModel.h"
#include "HistoryPanel.h"
#include "LogPanel.h"
#include "ServiceTableModel.h"
#include "fleet/Fleet.h"
#include "fleet/FleetOverviewModel.h"
#include "fleet/FleetTreeModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>

namespace sm {

void MainWindow::buildFleetViews() {
    m_fleetModel = new FleetTreeModel(this);
    m_fleetView = new QTreeView(this);
    m_fleetView->setModel(m_fleetModel);
    m_fleetView->setHeaderHidden(true);
    m_fleetView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_fleetView->setMinimumWidth(220);
    m_fleetView->setUniformRowHeights(true);
    connect(m_fleetView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::onFleetEntryChosen);
    m_left->addWidget(m_fleetView);

    m_overviewModel = new FleetOverviewModel(this);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_overviewModel);
    sorted->setSortRole(FleetOverviewModel::SortRole);
    m_overviewView = new QTableView(this);
    m_overviewView->setModel(sorted);
    m_overviewView->setSortingEnabled(true);
    m_overviewView->sortByColumn(FleetOverviewModel::Robot, Qt::AscendingOrder);
    m_overviewView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_overviewView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_overviewView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_overviewView->setAlternatingRowColors(true);
    m_overviewView->setShowGrid(false);
    m_overviewView->setWordWrap(false);
    m_overviewView->verticalHeader()->hide();
    m_overviewView->horizontalHeader()->setStretchLastSection(true);
    m_overviewView->setColumnWidth(FleetOverviewModel::Robot, 160);
    m_overviewView->setColumnWidth(FleetOverviewModel::Link, 120);
    for (int c = FleetOverviewModel::Up; c <= FleetOverviewModel::Failed; ++c)
        m_overviewView->setColumnWidth(c, 75);
    m_overviewView->setToolTip(tr("Click a robot to show it"));
    // One click goes there: the overview is a list of places, not of things to select.
    connect(m_overviewView, &QAbstractItemView::clicked, this, [this](const QModelIndex &at) {
        selectFleetEntry(at.data(FleetOverviewModel::RobotRole).toInt());
    });
    m_centre->addWidget(m_overviewView);
}

void MainWindow::setFleet(Fleet *fleet) {
    if (!m_fleetView)
        buildFleetViews();
    m_fleet = fleet;
    m_shownRobot = -1;
    m_fleetModel->setFleet(fleet);
    m_overviewModel->setFleet(fleet);
    m_left->setCurrentWidget(fleet ? static_cast<QWidget *>(m_fleetView) : m_containerView);
    if (!fleet) {
        if (overviewShown())
            m_centre->setCurrentWidget(m_serviceView);
        m_bottom->show();
        setBackend(nullptr, tr("Not connected")); // the shown robot's backend goes with it
        return;
    }
    if (auto *split = qobject_cast<QSplitter *>(m_left->parentWidget()))
        split->setSizes({300, 900}); // room for "robot — 1 crash loop, 2 down"
    setBackend(nullptr, fleet->size() == 1 ? tr("fleet of 1 robot")
                                           : tr("fleet of %1 robots").arg(fleet->size()));
    setWindowTitle(tr("System Manager — fleet"));
    m_fleetView->setCurrentIndex(m_fleetModel->overviewIndex());
    showOverview();
}

bool MainWindow::overviewShown() const {
    return m_overviewView && m_centre->currentWidget() == m_overviewView;
}

void MainWindow::showOverview() {
    // The robot chosen next is shown afresh, even the one shown before.
    m_shownRobot = -1;
    m_services->setActive(false);
    m_docker->setActive(false);
    m_log->clearSource();
    m_history->clearSource();
    m_centre->setCurrentWidget(m_overviewView);
    m_bottom->hide(); // no service is selected: nothing to log
    updateActions();
    updateBanner();
}

bool MainWindow::selectFleetEntry(int robot, const QString &container, bool docker) {
    if (!m_fleet || robot >= m_fleet->size())
        return false;
    QModelIndex at = robot < 0 ? m_fleetModel->overviewIndex() : m_fleetModel->robotIndex(robot);
    if (docker || !container.isEmpty()) {
        at = m_fleetModel->childIndex(robot, docker ? QString() : container);
        if (!at.isValid())
            return false;
    }
    if (robot >= 0)
        m_fleetView->expand(m_fleetModel->robotIndex(robot));
    m_fleetView->setCurrentIndex(at);
    return true;
}

void MainWindow::onFleetEntryChosen(const QModelIndex &index) {
    if (!index.isValid() || !m_fleet)
        return;
    const int kind = index.data(FleetTreeModel::KindRole).toInt();
    if (kind == FleetTreeModel::OverviewEntry) {
        showOverview();
        return;
    }
    const int robot = index.data(FleetTreeModel::RobotRole).toInt();
    const QString name = index.data(FleetTreeModel::NameRole).toString();
    const bool docker = kind == FleetTreeModel::DockerEntry;
    const QString container = kind == FleetTreeModel::ContainerEntry ? name : QString();
    RobotLink *link = m_fleet->at(robot);
    if (kind == FleetTreeModel::RobotEntry)
        m_fleetView->expand(index);
    m_bottom->show();
    if (robot != m_shownRobot) {
        // Another robot: its models load afresh and the pending choice is applied once its
        // container list is in (onContainersReset).
        m_shownRobot = robot;
        m_selectedContainer = container;
        m_pendingDocker = docker;
        m_centre->setCurrentWidget(m_serviceView);
        setBackend(link->backend(), link->robot().name);
        if (!link->backend()) {
            m_banner->setText(tr("%1: %2").arg(link->robot().name, link->linkText()));
            m_banner->show();
        }
        return;
    }
    // The same robot: its list is loaded (or will select the pending entry when it is).
    m_pendingDocker = docker;
    m_selectedContainer = container;
    bool selected = false;
    if (docker) {
        selected = selectDocker();
    } else if (!container.isEmpty()) {
        selected = selectContainer(container);
    } else if (m_containers->rowCount() > 0) {
        m_containerView->setCurrentIndex(m_containers->index(0, 0));
        selected = true;
    }
    if (selected) {
        m_pendingDocker = false;
        onContainerChosen(); // shows it even when it was already the current entry
    }
}

} // namespace sm

// MainWindow: the widgets, selection and what the actions apply to.
#include "MainWindow.h"

#include "ActionsDelegate.h"
#include "BadgeDelegate.h"
#include "ConnectDialog.h"
#include "ContainerListModel.h"
#include "DockerTableModel.h"
#include "HistoryPanel.h"
#include "LogPanel.h"
#include "ServiceTableModel.h"
#include "TextFilterProxy.h"

#include <QAction>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace sm {

namespace {
QTableView *makeTable(QWidget *parent, QAbstractItemModel *model, int badgeColumn, int badgeRole) {
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSortingEnabled(true);
    view->sortByColumn(0, Qt::AscendingOrder);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 12);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    view->setItemDelegateForColumn(badgeColumn, new BadgeDelegate(badgeRole, view));
    return view;
}
} // namespace

void MainWindow::buildLayout() {
    m_containerView = new QListView(this);
    m_containerView->setModel(m_containers);
    m_containerView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_containerView->setMinimumWidth(150);
    m_containerView->setSpacing(2);
    connect(m_containerView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::onContainerChosen);

    m_serviceView =
        makeTable(this, m_serviceProxy, ServiceTableModel::State, ServiceTableModel::BadgeRole);
    m_serviceView->setColumnWidth(ServiceTableModel::Label, 200);
    m_serviceView->setColumnWidth(ServiceTableModel::Id, 160);
    m_serviceView->setColumnWidth(ServiceTableModel::State, 110);
    m_dockerView =
        makeTable(this, m_dockerProxy, DockerTableModel::State, DockerTableModel::BadgeRole);
    m_dockerView->setColumnWidth(DockerTableModel::Name, 180);
    m_dockerView->setColumnWidth(DockerTableModel::Image, 220);
    m_dockerView->setColumnWidth(DockerTableModel::Status, 200);
    m_dockerView->setColumnWidth(DockerTableModel::Created, 160);
    auto *rowActions = new ActionsDelegate(m_dockerView);
    m_dockerView->setItemDelegateForColumn(DockerTableModel::Actions, rowActions);
    connect(rowActions, &ActionsDelegate::clicked, this,
            [this](const QModelIndex &index, int verb) {
                // The row's own buttons act on that row alone.
                m_dockerView->selectionModel()->setCurrentIndex(
                    index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                runAction(ControlActions::Verb(verb));
            });
    for (QTableView *view : {m_serviceView, m_dockerView}) {
        connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
                &MainWindow::onCurrentRowChanged);
        connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
                &MainWindow::updateActions);
        connect(view, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);
    }

    m_banner = new QLabel(this);
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral(
        "QLabel{background:#fdecea;color:#b71c1c;padding:6px;border-bottom:1px solid #f5c6cb}"));
    m_banner->hide();
    m_centre = new QStackedWidget(this);
    m_centre->addWidget(m_serviceView);
    m_centre->addWidget(m_dockerView);
    auto *centre = new QWidget(this);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    centreLayout->addWidget(m_banner);
    centreLayout->addWidget(m_centre);

    m_log = new LogPanel(this);
    m_history = new HistoryPanel(this);
    m_bottom = new QTabWidget(this);
    m_bottom->setDocumentMode(true);
    m_bottom->addTab(m_log, tr("Log"));
    m_bottom->addTab(m_history, tr("History"));
    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(centre);
    right->addWidget(m_bottom);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    m_left = new QStackedWidget(this);
    m_left->addWidget(m_containerView);
    auto *main = new QSplitter(Qt::Horizontal, this);
    main->addWidget(m_left);
    main->addWidget(right);
    main->setStretchFactor(1, 1);
    main->setSizes({180, 1020});
    setCentralWidget(main);

    m_link = new QLabel(this);
    m_link->setTextFormat(Qt::RichText);
    statusBar()->addPermanentWidget(m_link);
    updateActions();
}

bool MainWindow::dockerShown() const {
    return m_centre->currentWidget() == m_dockerView;
}

void MainWindow::onContainerChosen() {
    const QModelIndex current = m_containerView->currentIndex();
    if (!current.isValid())
        return;
    const bool docker =
        current.data(ContainerListModel::KindRole).toInt() == ContainerListModel::DockerEntry;
    m_docker->setActive(docker);
    m_services->setActive(!docker);
    if (docker) {
        m_centre->setCurrentWidget(m_dockerView);
    } else {
        m_selectedContainer = current.data(ContainerListModel::NameRole).toString();
        m_services->setContainer(m_selectedContainer);
        m_centre->setCurrentWidget(m_serviceView);
    }
    m_log->clearSource();
    m_history->clearSource();
    updateActions();
    updateBanner();
}

void MainWindow::onCurrentRowChanged() {
    QTableView *view = dockerShown() ? m_dockerView : m_serviceView;
    const QModelIndex current = view->currentIndex();
    if (!current.isValid())
        return;
    if (dockerShown()) {
        const QString name = current.data(DockerTableModel::NameRole).toString();
        m_log->showDocker(name);
        m_history->showDocker(name);
    } else {
        const QString service = current.data(ServiceTableModel::ServiceIdRole).toString();
        m_log->showService(m_services->container(), service);
        m_history->showService(m_services->container(), service);
    }
}

QList<ControlActions::Target> MainWindow::selectedTargets() const {
    QList<ControlActions::Target> targets;
    if (overviewShown())
        return targets;
    QTableView *view = dockerShown() ? m_dockerView : m_serviceView;
    const QModelIndexList rows = view->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        if (dockerShown()) {
            const QString name = row.data(DockerTableModel::NameRole).toString();
            targets.append({true, {}, name, name});
        } else {
            targets.append({false, m_services->container(),
                            row.data(ServiceTableModel::ServiceIdRole).toString(),
                            row.siblingAtColumn(ServiceTableModel::Label).data().toString()});
        }
    }
    return targets;
}

void MainWindow::runAction(ControlActions::Verb verb) {
    const QList<ControlActions::Target> targets = selectedTargets();
    if (targets.isEmpty()) {
        statusBar()->showMessage(tr("Select a service first"), 5000);
        return;
    }
    m_actions->run(verb, targets);
}

void MainWindow::updateActions() {
    const bool any = m_serviceView && !selectedTargets().isEmpty();
    for (QAction *a : {m_start, m_stop, m_restart})
        a->setEnabled(any);
}

void MainWindow::updateBanner() {
    if (overviewShown()) {
        m_banner->hide();
        return;
    }
    const QString error = dockerShown() ? m_docker->lastError() : m_services->lastError();
    m_banner->setText(error);
    m_banner->setVisible(!error.isEmpty());
}

void MainWindow::showContextMenu(const QPoint &pos) {
    QTableView *view = dockerShown() ? m_dockerView : m_serviceView;
    if (!view->indexAt(pos).isValid())
        return;
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addActions({m_start, m_stop, m_restart});
    menu->addSeparator();
    menu->addAction(m_refresh);
    menu->popup(view->viewport()->mapToGlobal(pos));
}

bool MainWindow::selectContainer(const QString &name) {
    const int row = m_containers->rowOf(ContainerListModel::AgentEntry, name);
    if (name.isEmpty() || row < 0)
        return false;
    m_containerView->setCurrentIndex(m_containers->index(row, 0));
    return true;
}

bool MainWindow::selectDocker() {
    const int row = m_containers->rowOf(ContainerListModel::DockerEntry);
    if (row < 0)
        return false;
    m_containerView->setCurrentIndex(m_containers->index(row, 0));
    return true;
}

bool MainWindow::selectRow(const QString &name) {
    const bool docker = dockerShown();
    const int sourceRow = docker ? m_docker->rowOf(name) : m_services->rowOf(name);
    if (sourceRow < 0)
        return false;
    TextFilterProxy *proxy = docker ? m_dockerProxy : m_serviceProxy;
    QTableView *view = docker ? m_dockerView : m_serviceView;
    const QModelIndex index = proxy->mapFromSource(proxy->sourceModel()->index(sourceRow, 0));
    if (!index.isValid())
        return false;
    view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                       QItemSelectionModel::Rows);
    return true;
}

void MainWindow::openConnectDialog() {
    auto *dialog = new ConnectDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_fleet)
        dialog->showFleetTab();
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->choice() == ConnectDialog::Choice::Fleet)
            Q_EMIT fleetRequested(dialog->fleet());
        else
            Q_EMIT connectRequested(dialog->url(), dialog->token());
    });
    dialog->open();
}

} // namespace sm

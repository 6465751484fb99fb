#include "MainWindow.h"

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
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

static void initGuiResources() {
    Q_INIT_RESOURCE(gui);
}

namespace sm {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_containers(new ContainerListModel(nullptr, this))
    , m_services(new ServiceTableModel(nullptr, this))
    , m_docker(new DockerTableModel(nullptr, this))
    , m_serviceProxy(new TextFilterProxy(ServiceTableModel::SortRole, this))
    , m_dockerProxy(new TextFilterProxy(DockerTableModel::SortRole, this))
    , m_actions(new ControlActions(this)) {
    initGuiResources();
    setWindowTitle(tr("System Manager"));
    setWindowIcon(QIcon(QStringLiteral(":/gui/icons/system-manager.svg")));
    m_serviceProxy->setSourceModel(m_services);
    m_dockerProxy->setSourceModel(m_docker);
    buildActions();
    buildLayout();

    connect(m_containers, &ContainerListModel::modelReset, this, &MainWindow::onContainersReset);
    connect(m_containers, &ContainerListModel::refreshed, this, [this] {
        if (!m_backendReportsLink)
            setLink(1, m_where);
    });
    connect(m_containers, &ContainerListModel::errorOccurred, this, [this](const QString &e) {
        if (!m_backendReportsLink)
            setLink(0, e);
    });
    connect(m_services, &ServiceTableModel::refreshed, this, &MainWindow::updateBanner);
    connect(m_docker, &DockerTableModel::refreshed, this, &MainWindow::updateBanner);
    connect(m_services, &ServiceTableModel::errorOccurred, this,
            [this](const QString &e) { statusBar()->showMessage(e, 8000); });
    connect(m_docker, &DockerTableModel::errorOccurred, this,
            [this](const QString &e) { statusBar()->showMessage(e, 8000); });
    connect(m_actions, &ControlActions::reported, this,
            [this](bool, const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_actions, &ControlActions::done, this, [this] {
        m_services->refresh();
        m_docker->refresh();
        m_history->refresh(); // the action's audit entry is in by now
    });
    connect(m_log, &LogPanel::errorOccurred, this,
            [this](const QString &e) { statusBar()->showMessage(e, 8000); });
    setLink(-1, tr("Not connected"));
    resize(1200, 750);
}

MainWindow::~MainWindow() = default;

void MainWindow::setBackend(Backend *backend, const QString &where) {
    if (m_backend)
        m_backend->disconnect(this);
    m_backend = backend;
    m_where = where;
    m_backendReportsLink = false;
    m_containers->setBackend(backend);
    m_services->setBackend(backend);
    m_docker->setBackend(backend);
    m_log->clearSource(); // the next robot may not have the service that was shown
    m_log->setBackend(backend);
    m_history->clearSource();
    m_history->setBackend(backend);
    m_actions->setBackend(backend);
    setWindowTitle(tr("System Manager — %1").arg(where));
    setLink(-1, where);
    if (!backend)
        return;
    connect(backend, &Backend::connectionChanged, this,
            [this](bool connected, const QString &description) {
                m_backendReportsLink = true;
                setLink(connected ? 1 : 0, connected ? m_where : description);
            });
}

void MainWindow::onContainersReset() {
    if (overviewShown())
        return; // a list that comes late must not take the window off the overview
    if (m_pendingDocker && selectDocker()) {
        m_pendingDocker = false;
        return;
    }
    if (!selectContainer(m_selectedContainer) && m_containers->rowCount() > 0)
        m_containerView->setCurrentIndex(m_containers->index(0, 0));
}

void MainWindow::setPendingConnection(const QString &text) {
    setLink(-1, text);
}

void MainWindow::setLink(int state, const QString &text) {
    static const char *const colors[] = {"#9e9e9e", "#c62828", "#2e7d32"};
    const QString what = state == 1 ? tr("connected") : state == 0 ? tr("link down") : QString();
    m_link->setText(QStringLiteral("<span style='color:%1'>●</span> %2%3")
                        .arg(QLatin1String(colors[state + 1]), text.toHtmlEscaped(),
                             what.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(what)));
    m_link->setProperty("linkState", state);
    m_link->setToolTip(text);
}

QAction *MainWindow::action(ControlActions::Verb verb) const {
    return verb == ControlActions::Start  ? m_start
           : verb == ControlActions::Stop ? m_stop
                                          : m_restart;
}

void MainWindow::buildActions() {
    auto make = [this](const QString &text, const QString &icon, const QKeySequence &key,
                       const QString &tip) {
        auto *a = new QAction(QIcon(QStringLiteral(":/gui/icons/%1.svg").arg(icon)), text, this);
        a->setShortcut(key);
        a->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        return a;
    };
    m_start = make(tr("&Start"), QStringLiteral("start"), QKeySequence(tr("Ctrl+U")),
                   tr("Start the selected services"));
    m_stop = make(tr("S&top"), QStringLiteral("stop"), QKeySequence(tr("Ctrl+D")),
                  tr("Stop the selected services"));
    m_restart = make(tr("&Restart"), QStringLiteral("restart"), QKeySequence(tr("Ctrl+R")),
                     tr("Restart the selected services"));
    m_refresh =
        make(tr("Re&fresh"), QStringLiteral("refresh"), QKeySequence::Refresh, tr("Refresh now"));
    connect(m_start, &QAction::triggered, this, [this] { runAction(ControlActions::Start); });
    connect(m_stop, &QAction::triggered, this, [this] { runAction(ControlActions::Stop); });
    connect(m_restart, &QAction::triggered, this, [this] { runAction(ControlActions::Restart); });
    connect(m_refresh, &QAction::triggered, this, [this] {
        if (m_fleet)
            m_fleet->refresh();
        m_containers->refresh();
        m_services->refresh();
        m_docker->refresh();
    });
    QAction *connectTo = make(tr("&Connect to robot…"), QStringLiteral("connect"),
                              QKeySequence::Open, tr("Connect to a robot's daemon"));
    connect(connectTo, &QAction::triggered, this, &MainWindow::openConnectDialog);
    QAction *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(connectTo);
    file->addSeparator();
    file->addAction(quit);
    QMenu *control = menuBar()->addMenu(tr("&Control"));
    control->addActions({m_start, m_stop, m_restart});
    control->addSeparator();
    control->addAction(m_refresh);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        auto *box = new QMessageBox(QMessageBox::Information, tr("About System Manager"),
                                    tr("System Manager %1\nControl plane for ROS 2 robot "
                                       "containers supervised by s6.")
                                        .arg(QStringLiteral(SM_VERSION)),
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });

    QToolBar *bar = addToolBar(tr("Actions"));
    bar->setObjectName(QStringLiteral("actionsToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addActions({m_start, m_stop, m_restart});
    bar->addSeparator();
    bar->addAction(m_refresh);
    bar->addAction(connectTo);
    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    m_filter = new QLineEdit(bar);
    m_filter->setPlaceholderText(tr("Filter (Ctrl+L)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(260);
    bar->addWidget(m_filter);
    connect(m_filter, &QLineEdit::textChanged, this, &MainWindow::setFilterText);
    auto *focusFilter = new QAction(this);
    focusFilter->setShortcut(QKeySequence(tr("Ctrl+L")));
    connect(focusFilter, &QAction::triggered, m_filter, [this] { m_filter->setFocus(); });
    addAction(focusFilter);
}

void MainWindow::setFilterText(const QString &text) {
    if (m_filter->text() != text)
        m_filter->setText(text);
    m_serviceProxy->setFilterText(text);
    m_dockerProxy->setFilterText(text);
}

} // namespace sm

#include "FleetEditor.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QPersistentModelIndex>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sm {

namespace {

// Deleted when closed, so each use starts clean; the object name lets tests drive it.
QFileDialog *fileChooser(QWidget *parent, const QString &name, const QString &title) {
    auto *chooser = new QFileDialog(parent, title);
    chooser->setObjectName(name);
    chooser->setAttribute(Qt::WA_DeleteOnClose);
    return chooser;
}

QStringList fleetFilters() {
    return {FleetEditor::tr("Fleet files (*.yml *.yaml)"), FleetEditor::tr("All files (*)")};
}

QPushButton *button(QWidget *parent, const QString &text, const QString &name) {
    auto *b = new QPushButton(text, parent);
    b->setObjectName(name);
    b->setAutoDefault(false); // Enter in the table means Connect, not Add
    return b;
}

} // namespace

FleetEditor::FleetEditor(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_remove(button(this, tr("Remove"), QStringLiteral("removeRobot")))
    , m_tokenFile(button(this, tr("Token file…"), QStringLiteral("pickTokenFile"))) {
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Address"), tr("Token file")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(Address, 200);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setMinimumWidth(560);
    auto *add = button(this, tr("Add"), QStringLiteral("addRobot"));
    auto *open = button(this, tr("Open fleet file…"), QStringLiteral("openFleetFile"));
    auto *save = button(this, tr("Save fleet file…"), QStringLiteral("saveFleetFile"));
    connect(add, &QPushButton::clicked, this, &FleetEditor::addRow);
    connect(m_remove, &QPushButton::clicked, this, &FleetEditor::removeRow);
    connect(m_tokenFile, &QPushButton::clicked, this, &FleetEditor::pickTokenFile);
    connect(open, &QPushButton::clicked, this, &FleetEditor::openFile);
    connect(save, &QPushButton::clicked, this, &FleetEditor::saveFile);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &FleetEditor::updateButtons);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_tokenFile);
    buttons->addStretch();
    buttons->addWidget(open);
    buttons->addWidget(save);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    updateButtons();
}

QString FleetEditor::text(int row, int column) const {
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

QString FleetEditor::tokenPath(const QString &typed) const {
    // As in a fleet file: a relative path is taken from the fleet file's directory (or the
    // working directory before any file was opened or saved).
    const QDir base = m_path.isEmpty() ? QDir::current() : QFileInfo(m_path).absoluteDir();
    return base.absoluteFilePath(typed);
}

QList<FleetRobot> FleetEditor::fleet() const {
    QList<FleetRobot> robots;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString token = text(row, TokenFile);
        robots.append({text(row, Name), normalizeDaemonUrl(text(row, Address)),
                       token.isEmpty() ? QString() : tokenPath(token)});
    }
    return robots;
}

void FleetEditor::setFleet(const QList<FleetRobot> &robots) {
    m_table->setRowCount(0);
    for (const FleetRobot &robot : robots)
        appendRow({robot.name, robot.url.toString(), robot.tokenFile});
    updateButtons();
}

QString FleetEditor::problem() const {
    if (m_table->rowCount() == 0)
        return tr("Add at least one robot to the fleet");
    QHash<QString, int> rows; // name → row
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString name = text(row, Name);
        const QString address = text(row, Address);
        if (name.isEmpty())
            return tr("Row %1 has no name").arg(row + 1);
        if (rows.contains(name))
            return tr("Row %1: the name '%2' is already used by row %3")
                .arg(row + 1)
                .arg(name)
                .arg(rows.value(name) + 1);
        rows.insert(name, row);
        if (address.isEmpty())
            return tr("Row %1 (%2) has no address").arg(row + 1).arg(name);
        if (normalizeDaemonUrl(address).isEmpty())
            return tr("Row %1 (%2): '%3' is not an address such as http://robot:8081")
                .arg(row + 1)
                .arg(name, address);
    }
    return {};
}

int FleetEditor::appendRow(const QStringList &cells) {
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    for (int column = 0; column < ColumnCount; ++column)
        m_table->setItem(row, column, new QTableWidgetItem(cells.value(column)));
    return row;
}

void FleetEditor::addRow() {
    const int row = appendRow({});
    m_table->setCurrentCell(row, Name);
    m_table->editItem(m_table->item(row, Name));
}

void FleetEditor::removeRow() {
    if (m_table->currentRow() >= 0)
        m_table->removeRow(m_table->currentRow());
    updateButtons();
}

void FleetEditor::pickTokenFile() {
    const int row = m_table->currentRow();
    if (row < 0)
        return;
    auto *chooser = fileChooser(this, QStringLiteral("tokenFileDialog"),
                                tr("Token file for %1").arg(text(row, Name)));
    chooser->setFileMode(QFileDialog::ExistingFile);
    if (!text(row, TokenFile).isEmpty())
        chooser->selectFile(text(row, TokenFile));
    // The row the chooser was opened for, wherever it is by the time a file is picked.
    const QPersistentModelIndex cell(m_table->model()->index(row, TokenFile));
    connect(chooser, &QFileDialog::fileSelected, this, [this, cell](const QString &path) {
        if (cell.isValid())
            m_table->item(cell.row(), TokenFile)->setText(path);
    });
    chooser->open();
}

void FleetEditor::openFile() {
    auto *chooser = fileChooser(this, QStringLiteral("openFleetFileDialog"), tr("Open fleet file"));
    chooser->setFileMode(QFileDialog::ExistingFile);
    chooser->setNameFilters(fleetFilters());
    if (!m_path.isEmpty())
        chooser->selectFile(m_path);
    connect(chooser, &QFileDialog::fileSelected, this, [this](const QString &path) {
        const FleetLoad load = loadFleetFile(path);
        if (!load.ok()) {
            Q_EMIT errorChanged(load.error.toString());
            return;
        }
        m_path = path;
        setFleet(*load.robots);
        // A misspelt key is ignored, so a robot may silently lose its token file: say so.
        Q_EMIT errorChanged(load.warnings.join(QLatin1Char('\n')));
    });
    chooser->open();
}

void FleetEditor::saveFile() {
    // A file with a nameless robot or a bad address would only fail when opened again.
    if (const QString why = problem(); !why.isEmpty()) {
        Q_EMIT errorChanged(why);
        return;
    }
    auto *chooser = fileChooser(this, QStringLiteral("saveFleetFileDialog"), tr("Save fleet file"));
    chooser->setAcceptMode(QFileDialog::AcceptSave);
    chooser->setNameFilters(fleetFilters());
    chooser->setDefaultSuffix(QStringLiteral("yml"));
    if (!m_path.isEmpty())
        chooser->selectFile(m_path);
    connect(chooser, &QFileDialog::fileSelected, this, [this](const QString &path) {
        const QString error = saveFleetFile(path, fleet());
        if (error.isEmpty())
            m_path = path;
        Q_EMIT errorChanged(error);
    });
    chooser->open();
}

void FleetEditor::updateButtons() {
    const bool selected = m_table->currentRow() >= 0 && !m_table->selectedItems().isEmpty();
    m_remove->setEnabled(selected);
    m_tokenFile->setEnabled(selected);
}

} // namespace sm

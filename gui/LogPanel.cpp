#include "LogPanel.h"

#include "PanelBar.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QScrollBar>
#include <QTextBlock>
#include <QToolButton>

namespace sm {

LogPanel::LogPanel(QWidget *parent)
    : QWidget(parent)
    , m_follower(new LogFollower(this))
    , m_view(new QPlainTextEdit(this))
    , m_title(new QLabel(tr("Log"), this))
    , m_mode(new QLabel(this))
    , m_search(new QLineEdit(this)) {
    QHBoxLayout *bar = panelBar(m_title, m_mode);
    m_pause = addPanelButton(bar, this, tr("Pause"), QStringLiteral(":/gui/icons/pause.svg"),
                             tr("Hold new lines back while reading"));
    m_pause->setCheckable(true);
    connect(m_pause, &QToolButton::toggled, this, &LogPanel::setPaused);
    m_colorsButton =
        addPanelButton(bar, this, tr("Colors"), QStringLiteral(":/gui/icons/colors.svg"),
                       tr("Render ANSI colors (off: strip them)"));
    m_colorsButton->setCheckable(true);
    m_colorsButton->setChecked(true);
    connect(m_colorsButton, &QToolButton::toggled, this, &LogPanel::setColorsEnabled);
    m_search->setPlaceholderText(tr("Find in log (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(220);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNext(m_search->text()); });
    auto *focusSearch = new QAction(this);
    focusSearch->setShortcut(QKeySequence::Find);
    connect(focusSearch, &QAction::triggered, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    addAction(focusSearch);
    bar->addWidget(m_search);
    QToolButton *find =
        addPanelButton(bar, this, tr("Find next"), QStringLiteral(":/gui/icons/find.svg"),
                       tr("Find the next match (F3)"));
    find->setShortcut(QKeySequence::FindNext);
    connect(find, &QToolButton::clicked, this, [this] { findNext(m_search->text()); });
    connect(addPanelButton(bar, this, tr("Copy"), QStringLiteral(":/gui/icons/copy.svg"),
                           tr("Copy the selection, or the whole log")),
            &QToolButton::clicked, this, &LogPanel::copy);
    connect(addPanelButton(bar, this, tr("Save…"), QStringLiteral(":/gui/icons/save.svg"),
                           tr("Save the log to a file")),
            &QToolButton::clicked, this, &LogPanel::chooseSaveFile);
    connect(addPanelButton(bar, this, tr("Clear"), QStringLiteral(":/gui/icons/clear.svg"),
                           tr("Clear the view")),
            &QToolButton::clicked, this, &LogPanel::clear);
    m_emptyFile =
        addPanelButton(bar, this, tr("Empty file…"), QStringLiteral(":/gui/icons/clear.svg"),
                       tr("Empty the service's log file on the robot"));
    m_emptyFile->setObjectName(QStringLiteral("emptyLogFile"));
    m_emptyFile->setEnabled(false);
    connect(m_emptyFile, &QToolButton::clicked, this, &LogPanel::askToEmptyFile);

    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(maxLines);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setUndoRedoEnabled(false);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    QPalette palette = m_view->palette();
    palette.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    palette.setColor(QPalette::Text, QColor(0xd4, 0xd4, 0xd4));
    m_view->setPalette(palette);
    m_baseFormat.setForeground(QColor(0xd4, 0xd4, 0xd4));
    m_renderer = AnsiRenderer(m_baseFormat);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_view);

    m_flush.setSingleShot(true);
    m_flush.setInterval(50);
    connect(&m_flush, &QTimer::timeout, this, &LogPanel::flush);
    connect(m_follower, &LogFollower::linesArrived, this, &LogPanel::onLines);
    connect(m_follower, &LogFollower::errorOccurred, this, &LogPanel::errorOccurred);
    connect(m_follower, &LogFollower::modeChanged, this, [this](bool live, const QString &why) {
        m_mode->setText(live ? tr("● live") : tr("○ polling"));
        m_mode->setToolTip(live ? tr("Following the log as it is written") : why);
        m_mode->setStyleSheet(live ? QStringLiteral("color:#2e7d32")
                                   : QStringLiteral("color:#ef8f00"));
    });
}

void LogPanel::setBackend(Backend *backend) {
    m_backend = backend;
    m_follower->setBackend(backend);
}

void LogPanel::askToEmptyFile() {
    const LogFollower::Source source = m_follower->source();
    if (source.kind != LogFollower::Source::Service || !m_backend)
        return;
    // open(), not exec(): the window keeps updating while the question is up.
    auto *box =
        new QMessageBox(QMessageBox::Question, tr("Empty the log file?"),
                        tr("Empty the log file of %1 / %2?").arg(source.container, source.name),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmEmptyLog"));
    box->setInformativeText(tr("Its current text is removed on the robot; new lines keep coming."));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, source] {
        if (box->clickedButton() != box->button(QMessageBox::Yes) || !m_backend)
            return;
        m_backend->clearLogs(this, source.container, source.name, [this](Result<LogsCleared> r) {
            if (!r.ok())
                return Q_EMIT errorOccurred(r.error().message);
            clear();
        });
    });
    box->open();
}

void LogPanel::showService(const QString &container, const QString &service) {
    follow({LogFollower::Source::Service, container, service},
           tr("Log: %1 / %2").arg(container, service));
    m_emptyFile->setEnabled(true);
}

void LogPanel::showDocker(const QString &name) {
    follow({LogFollower::Source::Docker, {}, name}, tr("Log: docker / %1").arg(name));
    m_emptyFile->setEnabled(false); // Docker keeps its own logs
}

void LogPanel::clearSource() {
    m_emptyFile->setEnabled(false);
    m_follower->stop();
    clear();
    m_title->setText(tr("Log"));
    m_mode->clear();
}

void LogPanel::follow(const LogFollower::Source &source, const QString &title) {
    if (source == m_follower->source())
        return;
    clear();
    m_title->setText(title);
    m_follower->follow(source);
}

void LogPanel::onLines(const QStringList &lines) {
    m_incoming.append(lines);
    // Held lines are bounded too: only the newest maxLines could ever be shown.
    if (m_incoming.size() > maxLines)
        m_incoming.remove(0, m_incoming.size() - maxLines);
    if (!m_paused && !m_flush.isActive())
        m_flush.start();
}

void LogPanel::flush() {
    if (m_paused || m_incoming.isEmpty())
        return;
    const QStringList lines = std::exchange(m_incoming, {});
    appendToView(lines);
    m_shown.append(lines);
    if (m_shown.size() > maxLines)
        m_shown.remove(0, m_shown.size() - maxLines);
    Q_EMIT linesShown(int(lines.size()));
}

void LogPanel::appendToView(const QStringList &lines) {
    QScrollBar *bar = m_view->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 1;
    const int position = bar->value();
    QTextCursor cursor(m_view->document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    bool first = m_view->document()->isEmpty();
    for (const QString &line : lines) {
        if (!first)
            cursor.insertBlock();
        first = false;
        if (m_colors) {
            for (const AnsiSpan &span : m_renderer.render(line))
                cursor.insertText(span.text, span.format);
        } else {
            cursor.insertText(stripAnsi(line), m_baseFormat);
        }
    }
    cursor.endEditBlock();
    // Follow the end only when the reader was already there.
    bar->setValue(atBottom ? bar->maximum() : std::min(position, bar->maximum()));
}

void LogPanel::rerender() {
    const QStringList lines = m_shown;
    m_view->clear();
    m_renderer.reset();
    appendToView(lines);
}

void LogPanel::setPaused(bool paused) {
    m_paused = paused;
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
    if (!paused)
        flush();
}

void LogPanel::setColorsEnabled(bool enabled) {
    if (m_colors == enabled)
        return;
    m_colors = enabled;
    if (m_colorsButton->isChecked() != enabled)
        m_colorsButton->setChecked(enabled);
    rerender();
}

bool LogPanel::findNext(const QString &text) {
    if (text.isEmpty())
        return false;
    if (m_view->find(text))
        return true;
    // Wrap around once from the top; when there is no match at all, keep the reader's place.
    const QTextCursor before = m_view->textCursor();
    m_view->setTextCursor(QTextCursor(m_view->document()));
    if (m_view->find(text))
        return true;
    m_view->setTextCursor(before);
    return false;
}

bool LogPanel::saveTo(const QString &path) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        Q_EMIT errorOccurred(tr("Cannot save the log to %1: %2").arg(path, file.errorString()));
        return false;
    }
    file.write(text().toUtf8());
    file.write("\n");
    if (!file.commit()) {
        Q_EMIT errorOccurred(tr("Cannot save the log to %1: %2").arg(path, file.errorString()));
        return false;
    }
    return true;
}

void LogPanel::chooseSaveFile() {
    auto *dialog = new QFileDialog(this, tr("Save log"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const LogFollower::Source s = source();
    dialog->selectFile((s.name.isEmpty() ? QStringLiteral("log") : s.name) +
                       QStringLiteral(".log"));
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString &path) { saveTo(path); });
    dialog->open();
}

void LogPanel::copy() {
    const QTextCursor selection = m_view->textCursor();
    QApplication::clipboard()->setText(
        selection.hasSelection()
            ? selection.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'))
            : text());
}

void LogPanel::clear() {
    m_incoming.clear();
    m_shown.clear();
    m_view->clear();
    m_renderer.reset();
}

QString LogPanel::text() const {
    return m_view->toPlainText();
}

} // namespace sm

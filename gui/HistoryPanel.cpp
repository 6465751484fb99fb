#include "HistoryPanel.h"

#include "HistoryModel.h"
#include "PanelBar.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QShowEvent>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>
#include <optional>

namespace sm {

// The two answers of one refresh; applied together once both are in.
struct HistoryPanel::Answers {
    std::optional<Result<QList<HistoryEvent>>> events;
    std::optional<Result<QList<AuditEntry>>> audit;
    bool complete() const { return events && audit; }
};

HistoryPanel::HistoryPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new HistoryModel(this))
    , m_view(new QTableView(this))
    , m_title(new QLabel(tr("History"), this))
    , m_message(new QLabel(this))
    , m_note(new QLabel(this)) {
    m_note->setStyleSheet(QStringLiteral("color:#ef8f00"));
    QHBoxLayout *bar = panelBar(m_title, m_note);
    m_refresh = addPanelButton(bar, this, tr("Refresh"), QStringLiteral(":/gui/icons/refresh.svg"),
                               tr("Read the history again"));
    m_refresh->setObjectName(QStringLiteral("refreshHistory"));
    connect(m_refresh, &QToolButton::clicked, this, &HistoryPanel::refresh);

    m_message->setWordWrap(true);
    m_message->setContentsMargins(6, 4, 6, 4);
    m_message->hide();

    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setColumnWidth(HistoryModel::Time, 160);
    m_view->setColumnWidth(HistoryModel::What, 150);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_message);
    layout->addWidget(m_view);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(debounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &HistoryPanel::refresh);
    clearSource();
}

void HistoryPanel::setBackend(Backend *backend) {
    if (m_backend)
        m_backend->disconnect(this);
    cancelQuery();
    m_backend = backend;
    if (!backend)
        return;
    connect(backend, &Backend::serviceChanged, this,
            [this](const ServiceStatus &s) { onLiveUpdate(false, s.container, s.service); });
    connect(backend, &Backend::serviceRemoved, this,
            [this](const QString &container, const QString &service) {
                onLiveUpdate(false, container, service);
            });
    connect(backend, &Backend::dockerEvent, this,
            [this](const DockerEvent &e) { onLiveUpdate(true, {}, e.container); });
    refresh();
}

void HistoryPanel::showService(const QString &container, const QString &service) {
    select({false, container, service}, tr("History: %1 / %2").arg(container, service));
}

void HistoryPanel::showDocker(const QString &name) {
    select({true, {}, name}, tr("History: docker / %1").arg(name));
}

void HistoryPanel::clearSource() {
    cancelQuery();
    m_source = {};
    m_model->clear();
    m_title->setText(tr("History"));
    setNote({});
    setMessage(tr("Select a service or a Docker container to see its history."));
}

void HistoryPanel::select(const Source &source, const QString &title) {
    if (source == m_source)
        return;
    cancelQuery(); // its rows are another selection's
    m_source = source;
    m_model->clear();
    m_title->setText(title);
    setNote({});
    setMessage(tr("Loading…"));
    refresh();
}

void HistoryPanel::cancelQuery() {
    m_debounce.stop();
    m_again = false;
    delete std::exchange(m_query, nullptr);
}

void HistoryPanel::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    // Becoming visible (the tab chosen, the window shown) is when its rows may be stale; an
    // answer still on its way was asked for just now.
    if (!event->spontaneous() && !m_query)
        refresh();
}

void HistoryPanel::onLiveUpdate(bool docker, const QString &container, const QString &name) {
    if (m_source.isEmpty() || m_source.docker != docker || m_source.name != name ||
        (!docker && m_source.container != container) || !isVisible())
        return;
    // Not restarted by each update: a steady stream still refreshes every debounceMs.
    if (!m_debounce.isActive())
        m_debounce.start();
}

void HistoryPanel::refresh() {
    // Hidden, nothing is asked: being shown refreshes.
    if (!m_backend || m_source.isEmpty() || !isVisible())
        return;
    if (m_query) {
        m_again = true; // once the answer in flight is in: it may predate what was asked for
        return;
    }
    query();
}

void HistoryPanel::query() {
    auto *context = new QObject(this);
    m_query = context;
    auto answers = std::make_shared<Answers>();
    HistoryQuery events;
    events.container = m_source.docker ? m_source.name : m_source.container;
    events.service = m_source.docker ? QString() : m_source.name;
    events.limit = limit;
    // Docker entries carry the Docker container's name as their container, as its events do.
    AuditQuery audit;
    audit.container = events.container;
    audit.service = events.service;
    audit.limit = limit;
    m_backend->history(context, events, [this, context, answers](Result<QList<HistoryEvent>> r) {
        answers->events = std::move(r);
        if (answers->complete())
            finish(context, *answers);
    });
    m_backend->audit(context, audit, [this, context, answers](Result<QList<AuditEntry>> r) {
        answers->audit = std::move(r);
        if (answers->complete())
            finish(context, *answers);
    });
}

void HistoryPanel::finish(QObject *context, const Answers &answers) {
    if (context != m_query)
        return; // superseded (its context is normally gone already, answers with it)
    m_query = nullptr;
    context->deleteLater(); // not delete: we are inside one of its callbacks

    QList<HistoryEvent> events;
    QList<AuditEntry> audit;
    QString message;
    QString note;
    const Result<QList<HistoryEvent>> &e = *answers.events;
    const Result<QList<AuditEntry>> &a = *answers.audit;
    const bool noStore = !e.ok() && e.error().status == 501;
    if (e.ok()) {
        for (const HistoryEvent &event : e.value())
            // A Docker container's name may also be an agent container's: its own events only.
            if (!m_source.docker || event.source == u"docker")
                events.append(event);
    } else if (noStore) {
        message = tr("This daemon keeps no history (set state.dir)");
    } else {
        message = tr("History unavailable: %1").arg(e.error().message);
    }
    if (a.ok()) {
        for (const AuditEntry &entry : a.value())
            // As above: a same-named agent container's entries are not this one's.
            if (!m_source.docker || entry.route.startsWith(u"/docker/"))
                audit.append(entry);
    } else if (noStore) {
        // Without a store there is no audit either: the message above says it all.
    } else if (a.error().status == 401 || a.error().status == 403) {
        note = tr("Audit entries need an operator token");
    } else if (message.isEmpty()) {
        message = tr("Audit entries unavailable: %1").arg(a.error().message);
    }
    if (message.isEmpty() && events.isEmpty() && audit.isEmpty())
        message = tr("Nothing recorded yet.");
    m_model->setEntries(events, audit);
    setMessage(message);
    setNote(note);
    Q_EMIT refreshed();
    if (std::exchange(m_again, false))
        refresh();
}

void HistoryPanel::setMessage(const QString &text) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void HistoryPanel::setNote(const QString &text) {
    m_note->setText(text);
    m_note->setVisible(!text.isEmpty());
}

QString HistoryPanel::message() const {
    return m_message->text();
}

QString HistoryPanel::note() const {
    return m_note->text();
}

} // namespace sm

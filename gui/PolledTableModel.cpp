#include "PolledTableModel.h"

namespace sm {

PolledTableModel::PolledTableModel(bool active, WhileInactive whileInactive, QObject *parent)
    : QAbstractTableModel(parent)
    , m_whileInactive(whileInactive)
    , m_active(active) {
    m_poll.setInterval(2000);
    connect(&m_poll, &QTimer::timeout, this, &PolledTableModel::refresh);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(30);
    connect(&m_coalesce, &QTimer::timeout, this, &PolledTableModel::fetch);
}

void PolledTableModel::setBackend(Backend *backend) {
    if (m_backend)
        m_backend->disconnect(this);
    m_backend = backend;
    invalidate();
    beginResetModel();
    clearRowData();
    endResetModel();
    if (!m_backend)
        return;
    connectBackend(m_backend);
    if (m_followsLiveUpdates)
        connect(m_backend, &Backend::liveChanged, this, [this](bool live) {
            if (live)
                m_poll.stop(); // the events carry the changes from now on
            else
                refresh(); // catches up, and polls again until they come back
        });
    if (m_active)
        refresh();
}

void PolledTableModel::setActive(bool active) {
    if (m_whileInactive == WhileInactive::IgnoreRefresh && m_active == active)
        return;
    m_active = active;
    if (active)
        refresh();
    else
        m_poll.stop();
}

void PolledTableModel::setPollInterval(int ms) {
    m_poll.stop();
    m_poll.setInterval(ms);
    if (ms > 0 && m_active)
        m_poll.start();
}

void PolledTableModel::refresh() {
    if (!m_active && m_whileInactive == WhileInactive::IgnoreRefresh)
        return;
    const bool live = m_followsLiveUpdates && m_backend && m_backend->isLive();
    if (m_active && !live && !m_poll.isActive() && m_poll.interval() > 0)
        m_poll.start();
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void PolledTableModel::invalidate() {
    ++m_generation;
    m_fetching = false;
}

void PolledTableModel::fetch() {
    // Asking an absent peer while nobody looks only produces errors.
    if (!m_backend || (!m_active && m_whileInactive == WhileInactive::SkipFetch) || !canFetch())
        return;
    if (m_fetching) {
        m_again = true;
        return;
    }
    m_fetching = true;
    startFetch(m_generation);
}

void PolledTableModel::finishCycle() {
    m_fetching = false;
    Q_EMIT refreshed();
    if (m_again) {
        m_again = false;
        refresh();
    }
}

} // namespace sm

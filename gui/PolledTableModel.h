#pragma once

#include "backend/Backend.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>

#include <algorithm>

namespace sm {

// Base of the dashboard's table models: a poll timer (only the fallback of a model that follows
// live updates), a coalescing timer, one fetch cycle at a time over a Backend, answers of a
// replaced backend or subject dropped by generation, and helpers that apply a fresh row list in
// place.
class PolledTableModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolledTableModel)
public:
    void setBackend(Backend *backend);
    // Fetches only while active (its view is shown).
    void setActive(bool active);
    // Poll period (default 2 s); 0 polls only on request and on events.
    void setPollInterval(int ms);
    // Asks for a fetch; requests close together collapse into one.
    void refresh();

    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    // After every completed fetch, applied or failed (for views and tests).
    void refreshed();

protected:
    // What an inactive model does with a refresh request; neither polls while inactive.
    enum class WhileInactive {
        IgnoreRefresh, // refresh() does nothing; setActive() acts only on a change
        SkipFetch,     // the request is coalesced but not fetched; setActive(true) always refreshes
    };

    PolledTableModel(bool active, WhileInactive whileInactive, QObject *parent);

    // Starts one fetch cycle. Answers are dropped unless isCurrent(generation); the cycle ends
    // with finishCycle().
    virtual void startFetch(quint64 generation) = 0;
    // Whether there is anything to fetch (for example a chosen container).
    virtual bool canFetch() const { return true; }
    // Empties the rows; called inside a model reset.
    virtual void clearRowData() = 0;
    // Subscribes to the backend's live events.
    virtual void connectBackend(Backend *backend) = 0;
    // For a model whose rows the live events keep current: no polling while they flow (the
    // backend isLive()), polling again when they stop. Before setBackend().
    void followLiveUpdates() { m_followsLiveUpdates = true; }

    Backend *backend() const { return m_backend; }
    bool isActive() const { return m_active; }
    bool isCurrent(quint64 generation) const { return generation == m_generation; }
    // Answers of fetches in flight no longer apply (new backend or subject).
    void invalidate();
    void finishCycle();
    void setLastError(const QString &message) { m_lastError = message; }

    // Removes the rows without a match in `fresh` (back to front keeps the indexes valid).
    template <typename Row, typename Match>
    void removeMissingRows(QList<Row> &rows, const QList<Row> &fresh, Match match) {
        for (int row = int(rows.size()) - 1; row >= 0; --row) {
            const Row &old = rows.at(row);
            if (std::none_of(fresh.cbegin(), fresh.cend(),
                             [&](const Row &r) { return match(old, r); })) {
                beginRemoveRows({}, row, row);
                rows.removeAt(row);
                endRemoveRows();
            }
        }
    }

    // Makes `rows` equal `fresh`: gone rows removed, known rows updated in place (dataChanged
    // only when `same` says they differ), new rows appended.
    template <typename Row, typename Match, typename Same>
    void mergeRows(QList<Row> &rows, const QList<Row> &fresh, Match match, Same same) {
        removeMissingRows(rows, fresh, match);
        for (const Row &r : fresh) {
            const auto it = std::find_if(rows.cbegin(), rows.cend(),
                                         [&](const Row &old) { return match(old, r); });
            if (it == rows.cend()) {
                const int at = int(rows.size());
                beginInsertRows({}, at, at);
                rows.append(r);
                endInsertRows();
                continue;
            }
            const int at = int(it - rows.cbegin());
            if (!same(rows.at(at), r))
                replaceRow(rows, at, r);
        }
    }

    template <typename Row> void replaceRow(QList<Row> &rows, int at, const Row &r) {
        rows[at] = r;
        Q_EMIT dataChanged(index(at, 0), index(at, columnCount() - 1));
    }

private:
    void fetch();

    QPointer<Backend> m_backend;
    QTimer m_poll;
    QTimer m_coalesce;
    const WhileInactive m_whileInactive;
    bool m_active;
    bool m_fetching = false;
    bool m_followsLiveUpdates = false;
    bool m_again = false;
    quint64 m_generation = 0;
    QString m_lastError;
};

} // namespace sm

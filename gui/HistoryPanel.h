#pragma once

#include "backend/Backend.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QTableView;
class QToolButton;

namespace sm {

class HistoryModel;

// The bottom panel's History tab: the selected service's (or Docker container's) events and
// the audit entries that touched it, newest first. It asks only while it is shown (on a new
// selection, on being shown, on Refresh, and shortly after a live update about what it
// shows), keeps at most one query in flight, and drops the answers of a superseded one.
class HistoryPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPanel)
public:
    // A burst of live updates (a crash loop, a restart) becomes one query this much later.
    static constexpr int debounceMs = 300;
    static constexpr int limit = 200;

    explicit HistoryPanel(QWidget *parent = nullptr);

    void setBackend(Backend *backend);
    void showService(const QString &container, const QString &service);
    void showDocker(const QString &name);
    void clearSource();
    // Asks again now when shown, else as soon as it is.
    void refresh();

    HistoryModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QToolButton *refreshButton() const { return m_refresh; }
    // The panel's one-line state: no selection, no history kept, an error.
    QString message() const;
    // What the rows leave out, e.g. the audit entries a viewer token may not read.
    QString note() const;
    // A query is in flight or one is due (debounced): more answers are still to come.
    bool isRefreshPending() const { return m_query || m_debounce.isActive(); }

Q_SIGNALS:
    // Each time an answer has been applied.
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Source {
        bool docker = false;
        QString container; // services only
        QString name;      // service id or Docker container name
        bool isEmpty() const { return name.isEmpty(); }
        bool operator==(const Source &) const = default;
    };
    struct Answers;

    void select(const Source &source, const QString &title);
    void query();
    void finish(QObject *context, const Answers &answers);
    void cancelQuery();
    void onLiveUpdate(bool docker, const QString &container, const QString &name);
    void setMessage(const QString &text);
    void setNote(const QString &text);

    QPointer<Backend> m_backend;
    Source m_source;
    // The context of the query in flight: deleting it drops that query's answers.
    QObject *m_query = nullptr;
    bool m_again = false; // asked to refresh while a query was in flight
    QTimer m_debounce;
    HistoryModel *m_model;
    QTableView *m_view;
    QLabel *m_title;
    QLabel *m_message;
    QLabel *m_note;
    QToolButton *m_refresh;
};

} // namespace sm

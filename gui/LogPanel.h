#pragma once

#include "AnsiText.h"
#include "LogFollower.h"

#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QToolButton;

namespace sm {

// The bottom panel: the live log of the selected service or Docker container, with ANSI
// colors rendered or stripped, pause, find, copy and save. Keeps at most maxLines lines and
// stays where the reader scrolled to instead of jumping to new lines.
class LogPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogPanel)
public:
    static constexpr int maxLines = 5000;

    explicit LogPanel(QWidget *parent = nullptr);

    void setBackend(Backend *backend);
    void showService(const QString &container, const QString &service);
    void showDocker(const QString &name);
    void clearSource();
    LogFollower::Source source() const { return m_follower->source(); }

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void setColorsEnabled(bool enabled);
    bool colorsEnabled() const { return m_colors; }
    bool findNext(const QString &text);
    bool saveTo(const QString &path);
    void copy();
    void clear();

    QPlainTextEdit *view() const { return m_view; }
    QString text() const;
    bool isLive() const { return m_follower->isLive(); }
    // Lines received but not shown yet (held while paused).
    int pendingLines() const { return int(m_incoming.size()); }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void linesShown(int count);

private:
    void follow(const LogFollower::Source &source, const QString &title);
    void onLines(const QStringList &lines);
    void flush();
    void appendToView(const QStringList &lines);
    void rerender();
    void chooseSaveFile();
    void askToEmptyFile();
    LogFollower *m_follower;
    QPlainTextEdit *m_view;
    QLabel *m_title;
    QLabel *m_mode;
    QLineEdit *m_search;
    QToolButton *m_pause;
    QToolButton *m_emptyFile; // DELETE .../logs, for services only
    QPointer<Backend> m_backend;
    QToolButton *m_colorsButton;
    QTimer m_flush;
    QStringList m_incoming; // arrived, not yet shown (batched, or held while paused)
    QStringList m_shown;    // raw lines in the view, to re-render when colors toggle
    AnsiRenderer m_renderer;
    QTextCharFormat m_baseFormat;
    bool m_paused = false;
    bool m_colors = true;
};

} // namespace sm

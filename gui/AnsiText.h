#pragma once

#include <QList>
#include <QString>
#include <QTextCharFormat>

namespace sm {

// A run of log text with the look its ANSI SGR codes asked for.
struct AnsiSpan {
    QString text;
    QTextCharFormat format;
};

// Turns log lines with ANSI escape sequences into formatted spans (SGR colors, bold, italic,
// underline; 16, 256 and 24-bit colors). The SGR state carries over from line to line, as in
// a terminal. Other escape sequences are dropped.
class AnsiRenderer final {
public:
    explicit AnsiRenderer(QTextCharFormat base = {});

    QList<AnsiSpan> render(const QString &line);
    void reset();

private:
    void applySgr(const QList<int> &codes);

    QTextCharFormat m_base;
    QTextCharFormat m_current;
};

// The line with every escape sequence removed.
QString stripAnsi(const QString &line);

// The 16 basic colors as drawn on the log view's dark background.
QColor ansiColor(int index);

} // namespace sm

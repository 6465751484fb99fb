#include "AnsiText.h"

#include <QFont>

namespace sm {

namespace {

constexpr QChar kEsc = QChar(0x1b);

// Finds the escape sequence starting at `at` (which holds ESC) and returns its length;
// `csi` receives the parameters and final byte of a CSI sequence.
qsizetype sequenceLength(const QString &s, qsizetype at, QString *params, QChar *final) {
    if (at + 1 >= s.size())
        return s.size() - at;
    const QChar kind = s.at(at + 1);
    if (kind == QLatin1Char('[')) {
        qsizetype i = at + 2;
        while (i < s.size() && !(s.at(i).unicode() >= 0x40 && s.at(i).unicode() <= 0x7e))
            ++i;
        if (i >= s.size())
            return s.size() - at;
        *params = s.mid(at + 2, i - at - 2);
        *final = s.at(i);
        return i - at + 1;
    }
    if (kind == QLatin1Char(']')) { // OSC: ends with BEL or ESC backslash
        for (qsizetype i = at + 2; i < s.size(); ++i) {
            if (s.at(i) == QChar(0x07))
                return i - at + 1;
            if (s.at(i) == kEsc && i + 1 < s.size() && s.at(i + 1) == QLatin1Char('\\'))
                return i - at + 2;
        }
        return s.size() - at;
    }
    return 2; // a two-character escape
}

QColor color256(int n) {
    if (n < 16)
        return ansiColor(n);
    if (n < 232) {
        n -= 16;
        auto level = [](int v) { return v == 0 ? 0 : 55 + v * 40; };
        return QColor(level(n / 36), level((n / 6) % 6), level(n % 6));
    }
    const int grey = 8 + (n - 232) * 10;
    return QColor(grey, grey, grey);
}

} // namespace

QColor ansiColor(int index) {
    static const QRgb palette[16] = {0x3b3b3b, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6,
                                     0x29b8db, 0xe5e5e5, 0x8a8a8a, 0xff6b6b, 0x5af78e, 0xffff8a,
                                     0x6cb6ff, 0xff92ff, 0x7fe3ff, 0xffffff};
    return QColor::fromRgb(palette[index & 15]);
}

AnsiRenderer::AnsiRenderer(QTextCharFormat base)
    : m_base(std::move(base))
    , m_current(m_base) {}

void AnsiRenderer::reset() {
    m_current = m_base;
}

QList<AnsiSpan> AnsiRenderer::render(const QString &line) {
    QList<AnsiSpan> spans;
    QString text;
    auto flush = [&] {
        if (!text.isEmpty())
            spans.append({text, m_current});
        text.clear();
    };
    for (qsizetype i = 0; i < line.size();) {
        if (line.at(i) != kEsc) {
            text.append(line.at(i++));
            continue;
        }
        QString params;
        QChar final;
        const qsizetype length = sequenceLength(line, i, &params, &final);
        if (final == QLatin1Char('m')) {
            flush();
            QList<int> codes;
            for (const QString &p : params.split(QLatin1Char(';')))
                codes.append(p.isEmpty() ? 0 : p.toInt());
            applySgr(codes);
        }
        i += length;
    }
    flush();
    return spans;
}

void AnsiRenderer::applySgr(const QList<int> &codes) {
    for (qsizetype i = 0; i < codes.size(); ++i) {
        const int c = codes.at(i);
        if (c == 0) {
            m_current = m_base;
        } else if (c == 1) {
            m_current.setFontWeight(QFont::Bold);
        } else if (c == 2) {
            m_current.setForeground(m_current.foreground().color().darker(140));
        } else if (c == 3) {
            m_current.setFontItalic(true);
        } else if (c == 4) {
            m_current.setFontUnderline(true);
        } else if (c == 22) {
            m_current.setFontWeight(QFont::Normal);
        } else if (c == 23) {
            m_current.setFontItalic(false);
        } else if (c == 24) {
            m_current.setFontUnderline(false);
        } else if (c >= 30 && c <= 37) {
            m_current.setForeground(ansiColor(c - 30));
        } else if (c >= 90 && c <= 97) {
            m_current.setForeground(ansiColor(c - 90 + 8));
        } else if (c == 39) {
            m_current.setForeground(m_base.foreground());
        } else if (c >= 40 && c <= 47) {
            m_current.setBackground(ansiColor(c - 40));
        } else if (c >= 100 && c <= 107) {
            m_current.setBackground(ansiColor(c - 100 + 8));
        } else if (c == 49) {
            m_current.setBackground(m_base.background());
        } else if ((c == 38 || c == 48) && i + 1 < codes.size()) {
            QColor color;
            if (codes.at(i + 1) == 5 && i + 2 < codes.size()) {
                color = color256(codes.at(i + 2) & 255);
                i += 2;
            } else if (codes.at(i + 1) == 2 && i + 4 < codes.size()) {
                color = QColor(codes.at(i + 2) & 255, codes.at(i + 3) & 255, codes.at(i + 4) & 255);
                i += 4;
            } else {
                ++i;
                continue;
            }
            if (c == 38)
                m_current.setForeground(color);
            else
                m_current.setBackground(color);
        }
    }
}

QString stripAnsi(const QString &line) {
    if (!line.contains(kEsc))
        return line;
    QString out;
    out.reserve(line.size());
    for (qsizetype i = 0; i < line.size();) {
        if (line.at(i) != kEsc) {
            out.append(line.at(i++));
            continue;
        }
        QString params;
        QChar final;
        i += sequenceLength(line, i, &params, &final);
    }
    return out;
}

} // namespace sm

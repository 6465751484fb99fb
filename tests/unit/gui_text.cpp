// ANSI SGR rendering for the log view and the SSE parser used by RemoteBackend.
#include "AnsiText.h"
#include "http/SseParser.h"

#include <QTest>

using namespace sm;

class GuiTextTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void strip_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("output");
        QTest::addRow("plain") << "hello"
                               << "hello";
        QTest::addRow("color") << "\x1b[31mred\x1b[0m text"
                               << "red text";
        QTest::addRow("bold+256") << "\x1b[1;38;5;208mwarn\x1b[m"
                                  << "warn";
        QTest::addRow("truecolor") << "\x1b[38;2;10;20;30mx"
                                   << "x";
        QTest::addRow("cursor moves") << "a\x1b[2Kb\x1b[1Ac"
                                      << "abc";
        QTest::addRow("osc title") << "\x1b]0;title\x07"
                                      "after"
                                   << "after";
        QTest::addRow("cut off") << "text\x1b[3"
                                 << "text";
    }
    void strip() {
        QFETCH(QString, input);
        QFETCH(QString, output);
        QCOMPARE(stripAnsi(input), output);
    }

    void renderColors() {
        QTextCharFormat base;
        base.setForeground(QColor(Qt::white));
        AnsiRenderer renderer(base);
        const QList<AnsiSpan> spans = renderer.render(
            "[\x1b[32mINFO\x1b[0m] \x1b[1;31mfailed\x1b[22m code \x1b[91m3\x1b[39m.");
        QStringList texts;
        for (const auto &s : spans)
            texts << s.text;
        QCOMPARE(texts, QStringList({"[", "INFO", "] ", "failed", " code ", "3", "."}));
        QCOMPARE(spans.at(0).format.foreground().color(), QColor(Qt::white));
        QCOMPARE(spans.at(1).format.foreground().color(), ansiColor(2));
        QCOMPARE(spans.at(3).format.foreground().color(), ansiColor(1));
        QCOMPARE(spans.at(3).format.fontWeight(), int(QFont::Bold));
        QCOMPARE(spans.at(4).format.fontWeight(), int(QFont::Normal));
        QCOMPARE(spans.at(4).format.foreground().color(), ansiColor(1));
        QCOMPARE(spans.at(5).format.foreground().color(), ansiColor(9));
        QCOMPARE(spans.at(6).format.foreground().color(), QColor(Qt::white));
    }

    void renderExtendedColorsAndCarryOver() {
        AnsiRenderer renderer;
        QList<AnsiSpan> spans = renderer.render("\x1b[38;2;1;2;3;48;5;196mrgb");
        QCOMPARE(spans.size(), 1);
        QCOMPARE(spans.at(0).format.foreground().color(), QColor(1, 2, 3));
        QCOMPARE(spans.at(0).format.background().color(), QColor(255, 0, 0));
        // The state carries over to the next line, as in a terminal, until reset.
        spans = renderer.render("still");
        QCOMPARE(spans.at(0).format.foreground().color(), QColor(1, 2, 3));
        renderer.reset();
        spans = renderer.render("plain");
        QVERIFY(!spans.at(0).format.hasProperty(QTextFormat::ForegroundBrush));
    }

    void sseAtEverySplitPoint() {
        const QByteArray stream = ": heartbeat\r\n\r\n"
                                  "event: service\r\ndata: {\"a\":1}\r\n\r\n"
                                  "event: log\ndata: line one\n\n"
                                  "data: first\ndata: second\n\n"
                                  "event: agent\rdata:{\"reachable\":false}\r\r"
                                  "event: empty\n\n"
                                  "id: 7\nretry: 100\nevent: log\ndata: \n\n";
        const QList<SseEvent> expected = {{"service", "{\"a\":1}"},
                                          {"log", "line one"},
                                          {"message", "first\nsecond"},
                                          {"agent", "{\"reachable\":false}"},
                                          {"log", ""}};
        for (int split = 0; split <= stream.size(); ++split) {
            SseParser parser;
            QList<SseEvent> got = parser.feed(stream.left(split));
            got += parser.feed(stream.mid(split));
            QCOMPARE(got, expected);
        }
        // Byte by byte.
        SseParser parser;
        QList<SseEvent> got;
        for (char c : stream)
            got += parser.feed(QByteArray(1, c));
        QCOMPARE(got, expected);
    }

    void sseKeepsTheLastEventId() {
        SseParser parser;
        QCOMPARE(parser.lastEventId(), QByteArray());
        // An id alone (no data) dispatches nothing but still counts, as in the spec.
        QCOMPARE(parser.feed("id: a.1\nevent: x\ndata: 1\n\nid: a.2\n\n").size(), 1);
        QCOMPARE(parser.lastEventId(), QByteArray("a.2"));
        parser.feed(QByteArray("id: bad\0id\n\n", 12)); // an id with NUL is ignored
        QCOMPARE(parser.lastEventId(), QByteArray("a.2"));
        parser.reset(); // a new connection keeps it, to send back
        QCOMPARE(parser.lastEventId(), QByteArray("a.2"));
    }

    void sseDropsOverlongLines() {
        SseParser parser(16);
        const QList<SseEvent> got = parser.feed("event: log\ndata: " + QByteArray(100, 'x') +
                                                "\n\nevent: log\ndata: ok\n\n");
        QCOMPARE(got, QList<SseEvent>({{"log", "ok"}}));
    }
};

QTEST_GUILESS_MAIN(GuiTextTest)
#include "gui_text.moc"

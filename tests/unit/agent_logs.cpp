// Log reading in the agent: tail from the end, ANSI stripping, and following
// `current` through s6-log style rotations without losing or repeating lines.

#include "Logs.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using namespace agent;

namespace {

bool append(const QString &path, const QByteArray &data) {
    QFile f(path);
    return f.open(QIODevice::Append) && f.write(data) == data.size();
}

std::string tailOf(const QByteArray &content, size_t lines, size_t maxBytes = 1 << 20,
                   bool complete = false) {
    QTemporaryDir dir;
    const QString path = dir.filePath("current");
    append(path, content);
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY);
    off_t start = -1;
    std::string out = tailLines(fd, off_t(content.size()), lines, maxBytes, complete, start);
    ::close(fd);
    if (start < 0 ||
        QByteArray::fromStdString(out) != content.mid(qsizetype(start), qsizetype(out.size())))
        return "<bad start offset>";
    return out;
}

} // namespace

class AgentLogs final : public QObject {
    Q_OBJECT

private slots:
    void tail_data();
    void tail();
    void tailAcrossBlocks();
    void tailRespectsByteBudget();
    void strip_data();
    void strip();
    void followSurvivesRotation();
};

void AgentLogs::tail_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("lines");
    QTest::addColumn<bool>("complete");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("last2") << QByteArray("a\nb\nc\n") << 2 << false << QByteArray("b\nc\n");
    QTest::addRow("all") << QByteArray("a\nb\nc\n") << 10 << false << QByteArray("a\nb\nc\n");
    QTest::addRow("zero") << QByteArray("a\nb\n") << 0 << false << QByteArray();
    QTest::addRow("partial-last") << QByteArray("a\nb\nc") << 2 << false << QByteArray("b\nc");
    QTest::addRow("partial-dropped") << QByteArray("a\nb\nc") << 2 << true << QByteArray("a\nb\n");
    QTest::addRow("empty-lines") << QByteArray("a\n\n\n") << 2 << false << QByteArray("\n\n");
    QTest::addRow("empty-file") << QByteArray() << 5 << false << QByteArray();
    QTest::addRow("no-newline") << QByteArray("abc") << 1 << false << QByteArray("abc");
    QTest::addRow("no-newline-complete") << QByteArray("abc") << 1 << true << QByteArray();
}

void AgentLogs::tail() {
    QFETCH(QByteArray, content);
    QFETCH(int, lines);
    QFETCH(bool, complete);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(tailOf(content, size_t(lines), 1 << 20, complete)),
             expected);
}

void AgentLogs::tailAcrossBlocks() {
    QByteArray content;
    for (int i = 0; i < 20000; ++i)
        content += "line " + QByteArray::number(i) + " " + QByteArray(i % 50, 'x') + '\n';
    const std::string out = tailOf(content, 3000);
    const QList<QByteArray> got = QByteArray::fromStdString(out).split('\n');
    QCOMPARE(got.size(), 3001);
    QVERIFY(got.first().startsWith("line 17000 "));
    QVERIFY(got.at(2999).startsWith("line 19999 "));
}

void AgentLogs::tailRespectsByteBudget() {
    QByteArray content;
    for (int i = 0; i < 1000; ++i)
        content += QByteArray(99, char('a' + i % 26)) + '\n';
    const std::string out = tailOf(content, 1000, 1050);
    // Whole lines only, within the budget.
    QCOMPARE(out.size(), size_t(1000));
    QCOMPARE(out.front(), char('a' + 990 % 26));
}

void AgentLogs::strip_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("sgr") << QByteArray("\x1b[1;31mred\x1b[0m plain") << QByteArray("red plain");
    QTest::addRow("osc") << QByteArray("\x1b]0;title\x07text") << QByteArray("text");
    QTest::addRow("osc-st") << QByteArray("\x1b]8;;http://x\x1b\\link") << QByteArray("link");
    QTest::addRow("two-byte") << QByteArray("a\x1b"
                                            "cb")
                              << QByteArray("ab");
    QTest::addRow("cursor") << QByteArray("\x1b[2K\x1b[1Gdone\n") << QByteArray("done\n");
    QTest::addRow("dangling") << QByteArray("end\x1b") << QByteArray("end");
    QTest::addRow("none") << QByteArray("[INFO] ok") << QByteArray("[INFO] ok");
}

void AgentLogs::strip() {
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(stripAnsi(input.toStdString())), expected);
}

void AgentLogs::followSurvivesRotation() {
    QTemporaryDir dir;
    const QString current = dir.filePath("current");
    QVERIFY(append(current, "old 1\nold 2\n"));
    const int fd = ::open(QFile::encodeName(current).constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    LogFollower follower(current.toStdString(), fd, 12, false);
    QCOMPARE(follower.poll(1 << 20), std::string());

    QVERIFY(append(current, "line 3\nline "));
    QCOMPARE(follower.poll(1 << 20), std::string("line 3\n")); // the partial line waits
    QVERIFY(append(current, "4\nline 5\n"));
    // s6-log rotation: rename current, then start a new current.
    QVERIFY(QFile::rename(current, dir.filePath("@400000006b0839371c4009ec.s")));
    QVERIFY(append(current, "line 6\n"));
    QCOMPARE(follower.poll(1 << 20), std::string("line 4\nline 5\nline 6\n"));
    // Rotation with nothing new in the old file; a poll while `current` is missing.
    QVERIFY(QFile::rename(current, dir.filePath("@400000006b0839371c4009ed.s")));
    QCOMPARE(follower.poll(1 << 20), std::string());
    QVERIFY(append(current, "line 7\n"));
    QCOMPARE(follower.poll(1 << 20), std::string("line 7\n"));
    // Several rotations between two polls: every archive is read in order.
    QVERIFY(QFile::rename(current, dir.filePath("@400000006b0839371c4009ee.s")));
    QVERIFY(append(current, "line 7b\n"));
    QVERIFY(QFile::rename(current, dir.filePath("previous")));
    QVERIFY(QFile::rename(dir.filePath("previous"), dir.filePath("@400000006b0839371c4009ef.s")));
    QVERIFY(append(current, "line 7c\n"));
    QVERIFY(QFile::rename(current, dir.filePath("previous")));
    QVERIFY(append(current, "line 7d\n"));
    QCOMPARE(follower.poll(1 << 20), std::string("line 7b\nline 7c\nline 7d\n"));
    QVERIFY(append(current, "\x1b[32mline 8\x1b[0m\n"));
    QCOMPARE(follower.poll(1 << 20), std::string("\x1b[32mline 8\x1b[0m\n"));
}

QTEST_APPLESS_MAIN(AgentLogs)
#include "agent_logs.moc"

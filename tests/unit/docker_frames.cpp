// The 8-byte frame demultiplexer and the line assembler, fed at every split point.
#include "docker/DockerFrames.h"

#include <QTest>

using namespace sm;
using Piece = DockerFrameDemuxer::Piece;

namespace {

QByteArray frame(int stream, const QByteArray &payload) {
    QByteArray h(8, '\0');
    h[0] = char(stream);
    const quint32 n = quint32(payload.size());
    h[4] = char(n >> 24);
    h[5] = char(n >> 16);
    h[6] = char(n >> 8);
    h[7] = char(n);
    return h + payload;
}

// Concatenates the pieces per stream, so results of different splits can be compared.
QPair<QByteArray, QByteArray> byStream(const QList<Piece> &pieces) {
    QPair<QByteArray, QByteArray> out;
    for (const Piece &p : pieces)
        (p.stream == DockerFrameDemuxer::Stderr ? out.second : out.first) += p.bytes;
    return out;
}

QList<Piece> feedSplit(DockerFrameDemuxer &demux, const QByteArray &input, QList<qsizetype> cuts) {
    QList<Piece> out;
    qsizetype from = 0;
    cuts.append(input.size());
    for (qsizetype cut : cuts) {
        out += demux.feed(input.mid(from, cut - from));
        from = cut;
    }
    return out;
}

} // namespace

class DockerFramesTest final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void wholeStream() {
        const QByteArray input = frame(1, "out 1\n") + frame(2, "err 1\n") + frame(1, "out 2\n");
        DockerFrameDemuxer demux;
        const QList<Piece> pieces = demux.feed(input);
        QCOMPARE(pieces.size(), 3);
        QCOMPARE(pieces[0], (Piece{1, "out 1\n", true}));
        QCOMPARE(pieces[1], (Piece{2, "err 1\n", true}));
        QCOMPARE(pieces[2], (Piece{1, "out 2\n", true}));
        QVERIFY(!demux.midFrame());
        QVERIFY(!demux.failed());
    }

    void everySplitPoint() {
        const QByteArray input = frame(1, "2026-11-26T14:05:25Z hi\n") + frame(2, "e\n") +
                                 frame(1, "") + frame(2, QByteArray(300, 'x')) + frame(1, "z");
        const auto expected = qMakePair(QByteArray("2026-11-26T14:05:25Z hi\n") + QByteArray("z"),
                                        QByteArray("e\n") + QByteArray(300, 'x'));
        for (qsizetype i = 0; i <= input.size(); ++i) {
            DockerFrameDemuxer demux;
            QCOMPARE(byStream(feedSplit(demux, input, {i})), expected);
            QVERIFY(!demux.midFrame());
        }
        // Two cuts: every pair of split points within the first frames.
        for (qsizetype i = 0; i <= 40; ++i)
            for (qsizetype j = i; j <= 40; ++j) {
                DockerFrameDemuxer demux;
                QCOMPARE(byStream(feedSplit(demux, input, {i, j})), expected);
            }
    }

    void oneByteAtATime() {
        const QByteArray input = frame(1, "abc") + frame(2, "def") + frame(1, "ghi");
        DockerFrameDemuxer demux;
        QList<Piece> out;
        for (char c : input)
            out += demux.feed(QByteArray(1, c));
        QCOMPARE(byStream(out), qMakePair(QByteArray("abcghi"), QByteArray("def")));
        // Order across streams is kept.
        QCOMPARE(out.first().stream, 1);
        QCOMPARE(out.last().stream, 1);
    }

    void truncatedStreamIsReported() {
        const QByteArray input = frame(1, "abcdef");
        DockerFrameDemuxer demux;
        demux.feed(input.left(5));
        QVERIFY(demux.midFrame());
        DockerFrameDemuxer demux2;
        QCOMPARE(demux2.feed(input.left(10)), (QList<Piece>{{1, "ab", true}}));
        QVERIFY(demux2.midFrame());
    }

    void malformedHeaderFails() {
        DockerFrameDemuxer demux;
        const QList<Piece> out = demux.feed(frame(1, "ok") + QByteArray("hello world\n"));
        QCOMPARE(out, (QList<Piece>{{1, "ok", true}}));
        QVERIFY(demux.failed());
        QVERIFY(demux.error().contains(QLatin1String("malformed")));
        QVERIFY(demux.feed(frame(1, "more")).isEmpty());
    }

    void largeLengthIsStreamed() {
        // A header announcing 1 MiB: payload flows out before the frame is complete.
        DockerFrameDemuxer demux;
        QByteArray header = frame(2, QByteArray(1 << 20, 'a')).left(8);
        const QList<Piece> out = demux.feed(header + "abc");
        QCOMPARE(out, (QList<Piece>{{2, "abc", true}}));
        QVERIFY(demux.midFrame());
    }

    void rawTtyStream() {
        DockerFrameDemuxer demux(true);
        const QByteArray bytes = frame(1, "looks like a frame");
        QCOMPARE(demux.feed(bytes), (QList<Piece>{{1, bytes, true}}));
        QVERIFY(!demux.midFrame());
    }

    void pieceBoundariesMarkFrames() {
        DockerFrameDemuxer demux;
        const QByteArray input = frame(1, "abcdef");
        QCOMPARE(demux.feed(input.left(11)), (QList<Piece>{{1, "abc", true}}));
        QCOMPARE(demux.feed(input.mid(11)), (QList<Piece>{{1, "def", false}}));
    }

    // podman cuts a long write into frames that each carry a timestamp; the text keeps one
    // timestamp per line, whatever the read boundaries, and stderr never lands mid-line.
    void decoderJoinsContinuations() {
        const QByteArray input = frame(1, "2026-11-26T14:15:12Z li") +
                                 frame(2, "2026-11-26T14:15:12Z err\n") +
                                 frame(1, "2026-11-26T14:15:12Z ne 978\n") +
                                 frame(1, "2026-11-26T14:15:13Z line 979\n") +
                                 frame(1, "2026-11-26T14:15:13Z unterminated");
        const QList<QByteArray> expected = {
            "2026-11-26T14:15:12Z err", "2026-11-26T14:15:12Z line 978",
            "2026-11-26T14:15:13Z line 979", "2026-11-26T14:15:13Z unterminated"};
        for (qsizetype i = 0; i <= input.size(); ++i) {
            DockerLogDecoder decoder;
            QList<QByteArray> lines = decoder.feed(input.left(i));
            lines += decoder.feed(input.mid(i));
            lines += decoder.finish();
            QCOMPARE(lines, expected);
        }
    }

    void decoderRawTty() {
        DockerLogDecoder decoder(true);
        QList<QByteArray> lines = decoder.feed("2026-11-26T14:15:12Z a\r\n2026-11-26T14:15:12Z b");
        lines += decoder.finish();
        QCOMPARE(lines, (QList<QByteArray>{"2026-11-26T14:15:12Z a", "2026-11-26T14:15:12Z b"}));
    }

    void linesAtEverySplitPoint() {
        const QByteArray input = "one\ntwo\r\n\nthree";
        for (qsizetype i = 0; i <= input.size(); ++i) {
            LineAssembler lines;
            QList<QByteArray> out = lines.feed(input.left(i));
            out += lines.feed(input.mid(i));
            QCOMPARE(out, (QList<QByteArray>{"one", "two", ""}));
            QCOMPARE(lines.takeRest(), QByteArray("three"));
            QCOMPARE(lines.takeRest(), QByteArray());
        }
    }

    void overlongLineIsCut() {
        LineAssembler lines(4);
        QCOMPARE(lines.feed("abcdefghij\nxy\n"), (QList<QByteArray>{"abcd", "efgh", "ij", "xy"}));
    }
};

QTEST_GUILESS_MAIN(DockerFramesTest)
#include "docker_frames.moc"

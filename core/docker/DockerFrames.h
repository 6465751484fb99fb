#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace sm {

// Splits the Engine's multiplexed log stream (8-byte headers: stream, 0, 0, 0, uint32 BE length)
// into payload pieces, however the bytes are split across reads. Payload is passed on as it
// arrives, so a huge frame never has to be buffered whole. A Tty container's stream has no
// headers: construct with raw = true and every byte is stdout.
class DockerFrameDemuxer final {
public:
    enum Stream { Stdin = 0, Stdout = 1, Stderr = 2, SystemErr = 3 };
    struct Piece {
        int stream = Stdout;
        QByteArray bytes;
        bool frameStart = false; // the first bytes of a frame (raw: of the stream)
        bool operator==(const Piece &) const = default;
    };

    explicit DockerFrameDemuxer(bool raw = false)
        : m_raw(raw) {}

    // Returns the payload pieces these bytes complete (one piece per frame, or per part of a
    // frame split across reads). After a malformed header nothing more is returned and failed() is
    // true.
    QList<Piece> feed(const QByteArray &bytes);
    // True when the stream ended in the middle of a header or a frame.
    bool midFrame() const { return !m_header.isEmpty() || m_remaining > 0; }
    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

private:
    bool m_raw;
    QByteArray m_header; // a header split across reads
    quint32 m_remaining = 0;
    int m_stream = Stdout;
    bool m_frameStart = false;
    bool m_started = false; // raw mode: something was returned already
    QString m_error;
};

// With timestamps=1 the Engine prefixes every frame with a timestamp, and podman splits a long
// write into several frames, each with its own timestamp. This keeps the first timestamp of a
// line and drops those of its continuations, per stream: one timestamp per line.
class TimestampJoiner final {
public:
    QByteArray feed(const DockerFrameDemuxer::Piece &piece);

private:
    struct State {
        bool midLine = false;  // the last payload did not end with '\n'
        bool skipping = false; // inside the timestamp of a continuation
        QByteArray pending;    // what was read of that timestamp so far
    };
    State m_state[4];
};

// Cuts a byte stream into complete lines (without the '\n'), per stream, so that a partial
// stdout line is never glued to a stderr line. Lines longer than maxLineBytes are cut there.
class LineAssembler final {
public:
    explicit LineAssembler(qsizetype maxLineBytes = 1024 * 1024)
        : m_max(maxLineBytes) {}
    QList<QByteArray> feed(const QByteArray &bytes);
    // The unterminated rest, if any (at the end of the stream).
    QByteArray takeRest();

private:
    qsizetype m_max;
    QByteArray m_partial;
};

} // namespace sm

namespace sm {

// Engine log bytes → complete lines: frames demultiplexed, timestamps of continuations joined,
// stdout and stderr each cut into lines on their own (a partial stdout line is never glued to
// stderr). A TTY container's bytes are raw.
class DockerLogDecoder final {
public:
    explicit DockerLogDecoder(bool tty = false)
        : m_demux(tty) {}
    QList<QByteArray> feed(const QByteArray &bytes);
    // The unterminated last lines, at the end of the stream.
    QList<QByteArray> finish();
    const DockerFrameDemuxer &demuxer() const { return m_demux; }

private:
    DockerFrameDemuxer m_demux;
    TimestampJoiner m_joiner;
    LineAssembler m_lines[4];
};

} // namespace sm

#include "docker/DockerFrames.h"

namespace sm {

namespace {
constexpr int HeaderSize = 8;

constexpr int MaxTimestamp = 64; // "2026-11-26T14:05:25.123456789+00:00 " is 36

void append(QList<DockerFrameDemuxer::Piece> &out, int stream, QByteArrayView bytes,
            bool frameStart) {
    if (bytes.isEmpty())
        return;
    out.append({stream, bytes.toByteArray(), frameStart});
}
} // namespace

QList<DockerFrameDemuxer::Piece> DockerFrameDemuxer::feed(const QByteArray &bytes) {
    QList<Piece> out;
    if (failed())
        return out;
    if (m_raw) {
        append(out, Stdout, bytes, !m_started);
        m_started = m_started || !bytes.isEmpty();
        return out;
    }
    QByteArrayView rest(bytes);
    while (!rest.isEmpty()) {
        if (m_remaining > 0) {
            const qsizetype n = qMin<qsizetype>(rest.size(), m_remaining);
            append(out, m_stream, rest.first(n), m_frameStart);
            m_frameStart = false;
            rest = rest.sliced(n);
            m_remaining -= quint32(n);
            continue;
        }
        const qsizetype need = HeaderSize - m_header.size();
        const qsizetype n = qMin(need, rest.size());
        m_header.append(rest.first(n));
        rest = rest.sliced(n);
        if (m_header.size() < HeaderSize)
            break;
        const auto *h = reinterpret_cast<const uchar *>(m_header.constData());
        if (h[0] > SystemErr || h[1] != 0 || h[2] != 0 || h[3] != 0) {
            m_error =
                QStringLiteral("malformed Docker log frame header (stream byte %1)").arg(h[0]);
            m_header.clear();
            return out;
        }
        m_stream = h[0];
        m_remaining = (quint32(h[4]) << 24) | (quint32(h[5]) << 16) | (quint32(h[6]) << 8) | h[7];
        m_header.clear();
        m_frameStart = true;
    }
    return out;
}

QByteArray TimestampJoiner::feed(const DockerFrameDemuxer::Piece &piece) {
    State &st = m_state[qBound(0, piece.stream, 3)];
    QByteArray bytes = piece.bytes;
    if (piece.frameStart && st.midLine)
        st.skipping = true;
    if (st.skipping) {
        // The prefix may itself be split across reads: hold it until its space shows up.
        st.pending += bytes;
        const qsizetype space = st.pending.indexOf(' ');
        if (space >= 0 && space < MaxTimestamp) {
            bytes = st.pending.mid(space + 1);
        } else if (st.pending.size() < MaxTimestamp) {
            return {};
        } else {
            bytes = st.pending; // no timestamp after all: keep everything
        }
        st.pending.clear();
        st.skipping = false;
    }
    if (!bytes.isEmpty())
        st.midLine = !bytes.endsWith('\n');
    return bytes;
}

QList<QByteArray> LineAssembler::feed(const QByteArray &bytes) {
    QList<QByteArray> lines;
    qsizetype start = 0;
    while (start < bytes.size()) {
        const qsizetype nl = bytes.indexOf('\n', start);
        const qsizetype end = nl < 0 ? bytes.size() : nl;
        m_partial.append(bytes.constData() + start, end - start);
        while (m_partial.size() > m_max) {
            lines.append(m_partial.left(m_max));
            m_partial.remove(0, m_max);
        }
        if (nl < 0)
            break;
        if (m_partial.endsWith('\r'))
            m_partial.chop(1);
        lines.append(std::exchange(m_partial, {}));
        start = nl + 1;
    }
    return lines;
}

QByteArray LineAssembler::takeRest() {
    return std::exchange(m_partial, {});
}

} // namespace sm

namespace sm {

QList<QByteArray> DockerLogDecoder::feed(const QByteArray &bytes) {
    QList<QByteArray> lines;
    for (const DockerFrameDemuxer::Piece &piece : m_demux.feed(bytes))
        lines += m_lines[qBound(0, piece.stream, 3)].feed(m_joiner.feed(piece));
    return lines;
}

QList<QByteArray> DockerLogDecoder::finish() {
    QList<QByteArray> lines;
    for (LineAssembler &assembler : m_lines) {
        const QByteArray rest = assembler.takeRest();
        if (!rest.isEmpty())
            lines.append(rest);
    }
    return lines;
}

} // namespace sm

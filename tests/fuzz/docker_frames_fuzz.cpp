// Fuzz target: Docker's multiplexed log stream. The first byte picks raw (TTY) mode and a split
// point; the rest is the stream. Splitting must never change what comes out.
#include "docker/DockerFrames.h"

#include <cstdint>
#include <cstdlib>

using namespace sm;

namespace {

struct Output {
    QByteArray out, err;
    bool failed = false;
    bool midFrame = false;
    QList<QByteArray> lines;
    QList<QByteArray> decoded; // DockerLogDecoder: joined timestamps, lines per stream
};

Output run(const QByteArray &input, bool raw, qsizetype cut) {
    Output o;
    DockerFrameDemuxer demux(raw);
    LineAssembler lines(64);
    DockerLogDecoder decoder(raw);
    for (const QByteArray &part : {input.left(cut), input.mid(cut)}) {
        o.decoded += decoder.feed(part);
        for (const DockerFrameDemuxer::Piece &p : demux.feed(part)) {
            if (p.bytes.isEmpty())
                abort(); // empty pieces are never emitted
            (p.stream == DockerFrameDemuxer::Stderr ? o.err : o.out) += p.bytes;
            o.lines += lines.feed(p.bytes);
        }
    }
    o.lines.append(lines.takeRest());
    o.decoded += decoder.finish();
    o.failed = demux.failed();
    o.midFrame = demux.midFrame();
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const bool raw = data[0] & 1;
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const qsizetype cut = input.isEmpty() ? 0 : qsizetype(data[0] >> 1) % (input.size() + 1);
    const Output whole = run(input, raw, input.size());
    const Output split = run(input, raw, cut);
    if (whole.out != split.out || whole.err != split.err || whole.failed != split.failed ||
        whole.lines != split.lines || whole.decoded != split.decoded)
        abort();
    if (whole.out.size() + whole.err.size() > input.size())
        abort();
    for (const QByteArray &line : whole.lines)
        if (line.size() > 64 || line.contains('\n'))
            abort();
    for (const QByteArray &line : whole.decoded)
        if (line.contains('\n'))
            abort();
    if (raw && whole.out != input)
        abort();
    return 0;
}

#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace sm {

// One Server-Sent Event: its type ("message" when the stream names none) and its data lines
// joined by '\n'.
struct SseEvent {
    QString event;
    QString data;
    bool operator==(const SseEvent &) const = default;
};

// Incremental text/event-stream parser: bytes may arrive split anywhere, even inside a line
// terminator. Comments (heartbeats) and unknown fields are skipped. A line longer than the
// limit is dropped rather than buffered without bound.
class SseParser final {
public:
    explicit SseParser(qsizetype maxLineBytes = 1024 * 1024)
        : m_maxLine(maxLineBytes) {}

    // Returns the events completed by these bytes, in order.
    QList<SseEvent> feed(const QByteArray &bytes);
    // Forgets a partial event (a new connection); the last event id is kept for it.
    void reset();
    // The stream's last `id:` field, to send back as Last-Event-ID when reconnecting.
    const QByteArray &lastEventId() const { return m_lastEventId; }

private:
    void processLine(const QByteArray &line, QList<SseEvent> &out);

    QByteArray m_buffer;
    QByteArray m_lastEventId;
    QByteArray m_event;
    QByteArray m_data;
    bool m_hasData = false;
    bool m_skipLf = false;   // a '\r' ended the last line; a following '\n' belongs to it
    bool m_overflow = false; // discarding the rest of an over-long line
    qsizetype m_maxLine;
};

} // namespace sm

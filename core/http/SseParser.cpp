#include "http/SseParser.h"

namespace sm {

QList<SseEvent> SseParser::feed(const QByteArray &bytes) {
    QList<SseEvent> out;
    for (const char c : bytes) {
        if (m_skipLf) {
            m_skipLf = false;
            if (c == '\n')
                continue;
        }
        if (c == '\r' || c == '\n') {
            m_skipLf = c == '\r';
            if (!m_overflow)
                processLine(m_buffer, out);
            m_buffer.clear();
            m_overflow = false;
            continue;
        }
        if (m_overflow)
            continue;
        if (m_buffer.size() >= m_maxLine) {
            m_overflow = true;
            m_buffer.clear();
            continue;
        }
        m_buffer.append(c);
    }
    return out;
}

void SseParser::reset() {
    m_buffer.clear();
    m_event.clear();
    m_data.clear();
    m_hasData = false;
    m_skipLf = false;
    m_overflow = false;
}

void SseParser::processLine(const QByteArray &line, QList<SseEvent> &out) {
    if (line.isEmpty()) {
        // A blank line dispatches; an event without data lines is ignored (per the spec).
        if (m_hasData)
            out.append({m_event.isEmpty() ? QStringLiteral("message") : QString::fromUtf8(m_event),
                        QString::fromUtf8(m_data)});
        m_event.clear();
        m_data.clear();
        m_hasData = false;
        return;
    }
    if (line.startsWith(':'))
        return;
    const qsizetype colon = line.indexOf(':');
    QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "event") {
        m_event = value;
    } else if (field == "id") {
        if (!value.contains('\0')) // as the spec says: such an id is ignored
            m_lastEventId = value;
    } else if (field == "data") {
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    }
}

} // namespace sm

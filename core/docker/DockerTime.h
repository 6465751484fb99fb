#pragma once

#include <QString>

namespace sm {

// The REST API shows every Docker time as ISO 8601 UTC with seconds precision, "…Z", whether the
// Engine gave unix seconds (list, events) or RFC 3339 with nanoseconds (inspect).
// Unix seconds → ISO; empty for values outside 1970..9999 (a malformed time).
QString dockerTimeFromUnix(double seconds);
// "2026-11-26T14:05:24.881019123Z" or "…+02:00" → "2026-11-26T14:05:24Z" (converted to UTC).
// Docker's zero time "0001-01-01T00:00:00Z" (never started/finished) is kept as is. Text that is
// not RFC 3339 is returned unchanged rather than lost.
QString dockerTimeFromRfc3339(const QString &text);

} // namespace sm

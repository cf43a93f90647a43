import PeerCore
import UTCTime

/// The header's `started` as ISO 8601 UTC text with milliseconds (`2026-11-30T03:51:20.123Z`),
/// in engine time (``UTCTimestamp``, shared with the JSON log line).
enum TraceTimestamp {
    static func format(_ time: EngineTime) -> String {
        UTCTimestamp.format(nanosecondsSinceEpoch: time.nanosecondsSinceEpoch)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff...]Z` (years 0000-9999); nil for anything else.
    static func parse(_ text: String) -> EngineTime? {
        UTCTimestamp.parse(text).map { EngineTime(nanosecondsSinceEpoch: $0) }
    }
}

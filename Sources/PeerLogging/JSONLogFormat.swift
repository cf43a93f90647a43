import Logging
import UTCTime

/// One log record as one line of JSON, for `peerd --log-format json`.
///
/// The object has `time` (ISO 8601, UTC, milliseconds), `level`, `label` and `message`, then the
/// metadata with its keys sorted. Nested metadata is flattened into dotted keys
/// (`["conn": ["id": "7"]]` becomes `"conn.id":"7"`), arrays become arrays of strings, and a
/// metadata key equal to one of the four fixed keys is written as `metadata.<key>`.
/// Pure: the handler passes the time in, so the format is testable.
public enum JSONLogFormat {
    /// The four keys every line starts with.
    public static let fixedKeys: Set<String> = ["time", "level", "label", "message"]

    /// Formats one record, without the trailing newline.
    ///
    /// - Parameter time: the time since the Unix epoch.
    public static func line(
        time: Duration, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        var out = "{\"time\":\""
        out += iso8601(time)
        out += "\",\"level\":"
        appendString(level.rawValue, to: &out)
        out += ",\"label\":"
        appendString(label, to: &out)
        out += ",\"message\":"
        appendString(message, to: &out)
        var flat: [(key: String, value: Logger.MetadataValue)] = []
        flatten(metadata, prefix: "", into: &flat)
        for (key, value) in flat.sorted(by: { $0.key < $1.key }) {
            out += ","
            appendString(fixedKeys.contains(key) ? "metadata.\(key)" : key, to: &out)
            out += ":"
            appendValue(value, to: &out)
        }
        out += "}"
        return out
    }

    private static func flatten(
        _ metadata: Logger.Metadata, prefix: String, into flat: inout [(key: String, value: Logger.MetadataValue)]
    ) {
        for (key, value) in metadata {
            let fullKey = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .dictionary(let nested) = value, !nested.isEmpty {
                flatten(nested, prefix: fullKey, into: &flat)
            } else {
                flat.append((fullKey, value))
            }
        }
    }

    private static func appendValue(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &out)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendValue(element, to: &out)
            }
            out += "]"
        case .dictionary(let nested):
            // Only an empty dictionary gets here (others are flattened).
            out += nested.isEmpty ? "{}" : "\"\(nested)\""
        }
    }

    /// Appends `text` as a JSON string literal (RFC 8259: quote, backslash and control characters escaped).
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// `2026-11-24T21:17:24.123Z` for a time since the Unix epoch (proleptic Gregorian calendar).
    static func iso8601(_ time: Duration) -> String {
        let (seconds, attoseconds) = time.components
        // Saturating: a time past year 2262 is clamped (never traps), and before 1970 reads as 1970.
        let (nanos, overflow) = max(seconds, 0).multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflowed) = nanos.addingReportingOverflow(max(0, attoseconds / 1_000_000_000))
        return UTCTimestamp.format(nanosecondsSinceEpoch: overflow || overflowed ? .max : total)
    }
}

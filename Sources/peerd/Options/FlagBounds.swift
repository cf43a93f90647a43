import PeerCore

/// The range checks every numeric flag goes through, before its value is converted to anything.
///
/// A `Double` of seconds becomes a `Duration` and a count ends up in `UInt32` wire fields and in
/// the engine's arithmetic: out of range, either conversion would trap (`nan`, `inf`, `1e30`,
/// `4e18`). Each option group lists its flags with their ranges in its `problems()`, and each
/// problem names the flag and the rule, so peerd refuses to start instead of crashing later.
enum FlagBounds {
    /// A problem if `seconds` is not a finite number within `range`.
    static func seconds(_ flag: String, _ seconds: Double, in range: ClosedRange<Duration>) -> String? {
        let low = Self.seconds(of: range.lowerBound)
        let high = Self.seconds(of: range.upperBound)
        guard seconds.isFinite, seconds >= low, seconds <= high else {
            return "\(flag): must be a number of seconds from \(text(low)) to \(text(high)) (actual: \(seconds))"
        }
        return nil
    }

    /// A problem if `value` is outside `range`.
    static func count<Value: BinaryInteger>(_ flag: String, _ value: Value, in range: ClosedRange<Value>) -> String? {
        guard range.contains(value) else {
            return "\(flag): must be from \(range.lowerBound) to \(range.upperBound) (actual: \(value))"
        }
        return nil
    }

    /// The duration of a flag's seconds, rounded to whole microseconds. Never traps: a value that
    /// ``seconds(_:_:in:)`` would refuse (and peerd never gets here with one) becomes zero or is
    /// clamped to a million seconds.
    static func duration(seconds: Double) -> Duration {
        guard seconds.isFinite else { return .zero }
        let clamped = min(max(seconds, -1e6), 1e6)
        return .microseconds(Int64((clamped * 1e6).rounded()))
    }

    /// Help text for a range of durations: "(0.01 to 3600 s)".
    static func help(_ range: ClosedRange<Duration>) -> String {
        "(\(text(seconds(of: range.lowerBound))) to \(text(seconds(of: range.upperBound))) s)"
    }

    /// Help text for a range of counts: "(1 to 1000000)".
    static func help<Value: BinaryInteger>(_ range: ClosedRange<Value>) -> String {
        "(\(range.lowerBound) to \(range.upperBound))"
    }

    private static func seconds(of duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// "5", "0.01": whole numbers without a trailing ".0".
    private static func text(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? "\(Int64(seconds))" : "\(seconds)"
    }
}

import PeerIdentity

/// A point in time as the engine sees it: whole nanoseconds since the Unix epoch.
///
/// The engine never reads a clock; every call that depends on time takes `now`. Wall-clock
/// nanoseconds (instead of a monotonic instant) keep persisted times such as a peer's disconnect
/// time or last failed dial meaningful after a restart. Arithmetic with `Duration` saturates at the
/// `Int64` bounds instead of trapping, so an absurd configured delay can never crash the engine.
public struct EngineTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var nanosecondsSinceEpoch: Int64

    /// Creates a time from nanoseconds since the Unix epoch.
    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// The Unix epoch itself; also the "never happened" value nwaku stores as 0.
    public static let epoch = EngineTime(nanosecondsSinceEpoch: 0)

    /// A time given in whole seconds since the Unix epoch (nwaku's unit for disconnect times).
    public static func seconds(_ seconds: Int64) -> EngineTime {
        EngineTime.epoch + .seconds(seconds)
    }

    /// Whole seconds since the Unix epoch, rounded down.
    public var secondsSinceEpoch: Int64 {
        nanosecondsSinceEpoch >= 0
            ? nanosecondsSinceEpoch / 1_000_000_000 : (nanosecondsSinceEpoch - 999_999_999) / 1_000_000_000
    }

    public static func < (lhs: EngineTime, rhs: EngineTime) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    public static func + (lhs: EngineTime, rhs: Duration) -> EngineTime {
        let (sum, overflow) = lhs.nanosecondsSinceEpoch.addingReportingOverflow(rhs.saturatingNanoseconds)
        if overflow { return EngineTime(nanosecondsSinceEpoch: rhs > .zero ? .max : .min) }
        return EngineTime(nanosecondsSinceEpoch: sum)
    }

    public static func - (lhs: EngineTime, rhs: Duration) -> EngineTime {
        lhs + (Duration.zero - rhs)
    }

    public static func += (lhs: inout EngineTime, rhs: Duration) {
        lhs = lhs + rhs
    }

    /// The signed distance between two times.
    public static func - (lhs: EngineTime, rhs: EngineTime) -> Duration {
        let (difference, overflow) = lhs.nanosecondsSinceEpoch.subtractingReportingOverflow(rhs.nanosecondsSinceEpoch)
        if overflow { return lhs > rhs ? .nanoseconds(Int64.max) : .nanoseconds(Int64.min) }
        return .nanoseconds(difference)
    }

    public var description: String {
        let nanos = nanosecondsSinceEpoch - secondsSinceEpoch * 1_000_000_000
        return "\(secondsSinceEpoch).\(String(repeating: "0", count: 9 - String(nanos).count))\(nanos)s"
    }
}

extension Duration {
    /// Seconds with one decimal, for operators: "15.0 s".
    public var secondsText: String {
        let tenths = saturatingNanoseconds / 100_000_000
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths / 10)).\(abs(tenths % 10)) s"
    }

    /// The duration in whole nanoseconds, saturated to the `Int64` range.
    var saturatingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}

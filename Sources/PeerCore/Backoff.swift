import PeerIdentity

/// The exponential dial backoff: after `n` consecutive failed dials a peer may be dialled again
/// `initial * factor^(n-1)` after the last failure, and never again once `n >= maxFailedAttempts`.
///
/// nwaku defaults: 120 s, factor 4, 5 attempts (120 s, 480 s, 1920 s, 7680 s, then never).
/// Failures are reset only by a successful outbound connection (see ``PeerEngine``), so an inbound
/// connection from a peer we cannot reach does not make it dialable again.
public struct Backoff: Sendable, Hashable {
    /// The wait after the first failure.
    public var initial: Duration
    /// The multiplier applied per further failure.
    public var factor: Int
    /// From this many consecutive failures on, the peer is never dialled by policy again.
    public var maxFailedAttempts: Int

    public init(initial: Duration = .seconds(120), factor: Int = 4, maxFailedAttempts: Int = 5) {
        self.initial = initial
        self.factor = factor
        self.maxFailedAttempts = maxFailedAttempts
    }

    /// The wait after `failures` consecutive failures: zero for none, `nil` if it overflows `Int64`
    /// nanoseconds (nwaku raises a Defect there; we report it through configuration validation).
    ///
    /// Takes at most 63 multiplications whatever `failures` is (a count restored from a snapshot
    /// may be as large as `Int32.max`): with a factor of 2 or more the product overflows by then,
    /// and a factor of 1 (or less, which validation refuses) leaves the first wait unchanged.
    public func delay(afterFailures failures: Int) -> Duration? {
        guard failures > 0 else { return .zero }
        var nanos = initial.saturatingNanoseconds
        if nanos == .max { return nil }
        let factor = Int64(clamping: factor)
        if failures == 1 || factor <= 1 || nanos <= 0 { return .nanoseconds(nanos) }
        for _ in 1..<failures {
            let (product, overflow) = nanos.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            nanos = product
        }
        return .nanoseconds(nanos)
    }

    /// The earliest time a peer with this failure history may be dialled, or `nil` for never.
    ///
    /// - Parameters:
    ///   - failures: consecutive failed dials.
    ///   - lastFailure: when the last one failed (`nil` reads as the epoch, as nwaku's default 0).
    public func earliestDial(failures: Int, lastFailure: EngineTime?) -> EngineTime? {
        if failures <= 0 { return .epoch }
        if failures >= maxFailedAttempts { return nil }
        guard let wait = delay(afterFailures: failures) else { return nil }
        return (lastFailure ?? .epoch) + wait
    }

    /// Whether a peer may be dialled at `now` (nwaku `canBeConnected`).
    public func allowsDial(failures: Int, lastFailure: EngineTime?, now: EngineTime) -> Bool {
        guard let earliest = earliestDial(failures: failures, lastFailure: lastFailure) else { return false }
        return now >= earliest
    }
}

import PeerCore

#if canImport(Glibc)
    import Glibc
#endif

/// Where the engine's time comes from. The engine never reads a clock itself; the runtime asks
/// this one, so tests can substitute their own.
public protocol EngineClock: Sendable {
    func now() -> EngineTime
}

/// The wall clock (CLOCK_REALTIME): engine times are persisted and shown as dates, so they are
/// Unix times, not monotonic instants.
public struct WallClock: EngineClock {
    public init() {}

    public func now() -> EngineTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return EngineTime(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}

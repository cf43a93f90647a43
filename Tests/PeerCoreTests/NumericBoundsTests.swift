import PeerCore
import PeerIdentity
import Testing

/// Settings and counters at the edges of their ranges: refused or saturated, never a trap.
@Suite("Numeric bounds")
struct NumericBoundsTests {
    @Test("a failure count restored at Int32.max saturates on the next failure")
    func failureCountSaturates() throws {
        var first = try engine()
        first.addPeer(relayInfo(1), now: at(0))
        first.failDial(1, now: at(0))
        var snapshot = first.exportSnapshot()
        snapshot.peers[0].failedAttempts = Int(Int32.max)

        var second = try engine()
        second.importSnapshot(snapshot, now: at(10))
        #expect(second.record(1)?.failedAttempts == Int(Int32.max))
        second.failDial(1, now: at(20))
        #expect(second.record(1)?.failedAttempts == Int(Int32.max))
        #expect(second.canBeConnected(peer(1), now: at(1_000_000)).allowed == false)
    }

    @Test("backoff for huge failure counts is bounded work and never traps")
    func backoffHugeCounts() {
        #expect(Backoff(initial: .seconds(1), factor: 2).delay(afterFailures: Int(Int32.max)) == nil)
        #expect(Backoff(initial: .seconds(1), factor: 1).delay(afterFailures: Int.max) == .seconds(1))
        #expect(Backoff(initial: .seconds(1), factor: 2).delay(afterFailures: 3) == .seconds(4))
        let backoff = Backoff(initial: .seconds(1), factor: 1, maxFailedAttempts: .max)
        #expect(backoff.earliestDial(failures: Int.max - 1, lastFailure: .init(nanosecondsSinceEpoch: .max)) != nil)
    }

    @Test(
        "every count out of its range is refused before any arithmetic",
        arguments: [
            ("maxConnections", 5_000_000_000), ("maxConnections", 4_000_000_000_000_000_000),
            ("maxConnections", Int.max),
            ("maxConnections", 0), ("peerStoreCapacity", Int.max), ("peerStoreCapacity", 0),
            ("colocationLimit", 5_000_000_000), ("colocationLimit", -1), ("backoffFactor", 5_000_000_000),
            ("backoffFactor", 0), ("maxFailedAttempts", 101), ("maxParallelDials", Int.max),
        ])
    func countsOutOfRange(setting: String, value: Int) {
        var configuration = EngineConfiguration.defaults
        switch setting {
        case "maxConnections": configuration.maxConnections = value
        case "peerStoreCapacity": configuration.peerStoreCapacity = value
        case "colocationLimit": configuration.colocationLimit = value
        case "backoffFactor": configuration.backoffFactor = value
        case "maxFailedAttempts": configuration.maxFailedAttempts = value
        default: configuration.maxParallelDials = value
        }
        let problems = Self.problems(configuration)
        #expect(
            problems.contains {
                if case .outOfRange(setting, "\(value)", _) = $0 { true } else { false }
            })
    }

    @Test("the largest valid settings fit the wire's UInt32 fields and the engine's arithmetic")
    func largestValidSettings() throws {
        var configuration = EngineConfiguration.defaults
        configuration.maxConnections = EngineConfiguration.Bounds.maxConnections.upperBound
        configuration.colocationLimit = EngineConfiguration.Bounds.colocationLimit.upperBound
        configuration.maxFailedAttempts = 1
        configuration.backoffFactor = EngineConfiguration.Bounds.backoffFactor.upperBound
        try configuration.validate()
        #expect(UInt32(exactly: configuration.effectiveCapacity) != nil)
        #expect(UInt32(exactly: configuration.maxConnections) != nil)
        configuration.peerStoreCapacity = EngineConfiguration.Bounds.peerStoreCapacity.upperBound
        try configuration.validate()
        #expect(UInt32(exactly: configuration.effectiveCapacity) != nil)
    }

    @Test(
        "every duration out of its range is refused",
        arguments: [
            ("dialTimeout", Duration.seconds(100_000_000_000_000_000)), ("dialTimeout", .zero),
            ("initialBackoff", .seconds(Int64.max)), ("pruneInterval", .zero), ("pruneInterval", .seconds(1e12)),
            ("reconnectBackoff", .seconds(-1)), ("commandGracePeriod", .seconds(Int64.max)),
        ])
    func durationsOutOfRange(setting: String, value: Duration) {
        var configuration = EngineConfiguration.defaults
        switch setting {
        case "dialTimeout": configuration.dialTimeout = value
        case "initialBackoff": configuration.initialBackoff = value
        case "pruneInterval": configuration.pruneInterval = value
        case "reconnectBackoff": configuration.reconnectBackoff = value
        default: configuration.commandGracePeriod = value
        }
        #expect(
            Self.problems(configuration).contains {
                if case .outOfRange(setting, _, _) = $0 { true } else { false }
            })
    }

    @Test("EngineTime arithmetic saturates at the Int64 bounds")
    func engineTimeSaturates() {
        let late = EngineTime(nanosecondsSinceEpoch: .max - 1)
        #expect((late + .seconds(Int64.max)).nanosecondsSinceEpoch == .max)
        let early = EngineTime(nanosecondsSinceEpoch: .min + 1)
        #expect((early - .seconds(Int64.max)).nanosecondsSinceEpoch == .min)
        #expect(late - early == .nanoseconds(Int64.max))
        #expect(EngineTime.seconds(.max).nanosecondsSinceEpoch == .max)
    }

    static func problems(_ configuration: EngineConfiguration) -> [ConfigurationError.Problem] {
        do {
            try configuration.validate()
            return []
        } catch {
            return error.problems
        }
    }
}

import PeerCore
import Testing

@testable import SimulatorCore

@Suite("Where shard-seconds below D_low go")
struct ShortfallCensusTests {
    @Test(
        "cause: first match of engine count, unknown shards, dials, idle candidates (at max or not), waiting, none",
        arguments: [
            (ShardCoverageCensus(connected: 4), 3, false, ShortfallCensus.Cause.engineCountsEnough),
            (ShardCoverageCensus(connected: 2, dialling: 1), 3, false, .shardsUnknown),
            (ShardCoverageCensus(connected: 2, dialling: 1, connectable: 5), 2, false, .dialsInFlight),
            (ShardCoverageCensus(connected: 2, connectable: 5, waiting: 1), 2, false, .candidatesIdle),
            (ShardCoverageCensus(connected: 2, connectable: 5), 2, true, .candidatesIdleAtMax),
            (ShardCoverageCensus(connected: 2, waiting: 3), 2, true, .candidatesWaiting),
            (ShardCoverageCensus(connected: 1), 1, false, .noCandidate),
        ])
    func cause(census: ShardCoverageCensus, host: Int, atMax: Bool, expected: ShortfallCensus.Cause) {
        #expect(ShortfallCensus.cause(census, hostCount: host, floor: 4, atMax: atMax) == expected)
    }

    @Test("another policy has no census")
    func otherPolicy() {
        #expect(ShortfallCensus.cause(nil, hostCount: 0, floor: 4, atMax: false) == .otherPolicy)
    }

    @Test("a run's census adds up to its shard-seconds below D_low, and its episodes begin with a loss or the start")
    func addsUp() throws {
        var simulation = try Simulation(scenario: SimulationTests.small(churn: true), policy: .peerd)
        let result = simulation.run()
        #expect(result.census.seconds.values.reduce(0, +) == result.summary.shardSecondsBelowFloor)
        #expect(result.census.episodeSeconds.values.reduce(0, +) == result.summary.shardSecondsBelowFloor)
        #expect(!result.census.seconds.keys.contains(ShortfallCensus.Cause.otherPolicy.rawValue))
        var nwaku = try Simulation(scenario: SimulationTests.small(churn: true), policy: .nwaku)
        let other = nwaku.run()
        #expect(other.census.seconds.keys.allSatisfy { $0 == ShortfallCensus.Cause.otherPolicy.rawValue })
    }
}

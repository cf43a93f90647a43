import PeerCore
import PeerIdentity
import Testing

@testable import SimulatorCore

/// The virtual host's answer to peerd's `request_discovery`, and who asks.
@Suite("Discovery requests in the simulator")
struct DiscoveryAnswerTests {
    /// A policy that asks for one shard at start and records what discovery reports afterwards.
    struct Asking: SimPolicy {
        var name = "asking"
        var shard: UInt16
        var wanted: Int
        var reported: [(PeerInfo, EngineTime)] = []
        var outcome: CommandOutcome?

        mutating func start(staticPeers: [PeerInfo], now: EngineTime) -> [SimCommand] {
            [SimCommand(id: CommandID(1), command: .requestDiscovery(clusterID: 1, shard: shard, wanted: wanted))]
        }
        mutating func discovered(_ info: PeerInfo, now: EngineTime) -> [SimCommand] {
            reported.append((info, now))
            return []
        }
        mutating func handle(_ event: HostEvent, now: EngineTime) -> [SimCommand] {
            if case .commandCompleted(CommandID(1), let outcome) = event { self.outcome = outcome }
            return []
        }
        mutating func wake(now: EngineTime) -> [SimCommand] { [] }
        func nextWake(now: EngineTime) -> EngineTime { .epoch + .seconds(1_000_000) }
    }

    func scenario() -> Scenario {
        var scenario = SimulationTests.small(churn: false)
        scenario.bootstrapPeers = 0
        scenario.discoveryPerMinute = 0
        scenario.durationSeconds = 60
        scenario.discoveryRequestDelaySeconds = 7
        scenario.discoveryRequestMaxPeers = 5
        return scenario
    }

    @Test("answered after the delay with at most the cap of distinct relay peers of the shard, then succeeded")
    func answer() throws {
        let scenario = scenario()
        let network = VirtualNetwork(scenario)
        var simulation = Simulation(scenario: scenario, policy: Asking(shard: 3, wanted: 9), network: network)
        let result = simulation.run()
        let policy = try #require(simulation.policy as? Asking)
        #expect(policy.reported.count == 5)
        #expect(Set(policy.reported.map(\.0.id)).count == 5)
        for (info, time) in policy.reported {
            // The host's own delay (at most 50 ms) to take the command, then the lookup's 7 s.
            #expect(time >= .epoch + .seconds(7) && time <= .epoch + .milliseconds(7050))
            let peer = network.peers[try #require(network.byID[info.id])]
            #expect(peer.relay && peer.clusterID == 1 && peer.shards.contains(3))
        }
        #expect(policy.outcome == .succeeded)
        #expect(result.summary.discoveryRequests == 1 && result.summary.discoveredOnRequest == 5)
    }

    @Test("wanted below the cap bounds the answer")
    func wantedBounds() throws {
        let scenario = scenario()
        var simulation = Simulation(
            scenario: scenario, policy: Asking(shard: 3, wanted: 2), network: VirtualNetwork(scenario))
        _ = simulation.run()
        #expect(try #require(simulation.policy as? Asking).reported.count == 2)
    }

    @Test("peerd asks for a thin shard; nwaku and peerd without the setting never do")
    func whoAsks() throws {
        var scenario = SimulationTests.small()
        scenario.shardWeights = [1, 1, 1, 1, 1, 1, 1, 0.02]
        scenario.bootstrapPeers = 20
        scenario.discoveryPerMinute = 5
        var counts: [PolicyKind: Int] = [:]
        for kind in [PolicyKind.peerd, .peerdNoDiscovery, .nwaku] {
            var simulation = try Simulation(scenario: scenario, policy: kind)
            counts[kind] = simulation.run().summary.discoveryRequests
        }
        #expect((counts[.peerd] ?? 0) > 0)
        #expect(counts[.peerdNoDiscovery] == 0 && counts[.nwaku] == 0)
    }
}

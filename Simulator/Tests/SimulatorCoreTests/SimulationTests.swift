import Foundation
import PeerCore
import PeerIdentity
import Testing

@testable import SimulatorCore

@Suite("Simulation")
struct SimulationTests {
    static func small(seed: UInt64 = 7, churn: Bool = true) -> Scenario {
        var scenario = Scenario()
        scenario.name = "small"
        scenario.seed = seed
        scenario.peers = 400
        scenario.durationSeconds = 1800
        scenario.meanSessionMinutes = churn ? 5 : 0
        scenario.meanOfflineMinutes = 5
        scenario.inboundPerMinute = 10
        return scenario
    }

    @Test("the same scenario and seed replay the same run, sample for sample", arguments: PolicyKind.allCases)
    func replays(kind: PolicyKind) throws {
        var first = try Simulation(scenario: Self.small(), policy: kind)
        var second = try Simulation(scenario: Self.small(), policy: kind)
        let (a, b) = (first.run(), second.run())
        #expect(a.summary == b.summary)
        #expect(a.samples == b.samples)
        var other = try Simulation(scenario: Self.small(seed: 8), policy: kind)
        #expect(other.run().samples != a.samples)
    }

    @Test("the host never holds more than max-connections; dials add up", arguments: PolicyKind.allCases)
    func invariants(kind: PolicyKind) throws {
        var simulation = try Simulation(scenario: Self.small(), policy: kind)
        let result = simulation.run()
        #expect(result.summary.peakConnections <= result.summary.maxConnections)
        #expect(result.samples.allSatisfy { $0.connections <= result.summary.maxConnections })
        #expect(result.summary.dials > 0)
        #expect(result.summary.wastedDials + result.summary.nonRelayDials <= result.summary.dials)
        #expect(result.samples.count == 180)
    }

    @Test("peerd never disconnects a protected (static) peer")
    func protectedKept() throws {
        var scenario = Self.small()
        scenario.inboundPerMinute = 60  // inbound pressure: pruning runs all the time
        for kind in PolicyKind.allCases where kind != .nwaku {
            var simulation = try Simulation(scenario: scenario, policy: kind)
            #expect(simulation.run().summary.protectedEvicted == 0)
        }
    }

    @Test("nwaku reaches its outbound target with a 5 s pause after each batch")
    func nwakuFills() throws {
        var scenario = Self.small(churn: false)
        scenario.unreachableFraction = 0
        var simulation = try Simulation(scenario: scenario, policy: .nwaku)
        let result = simulation.run()
        // Batch 1 (10 dials) connects within a second; the 5 s sleep; batch 2 (3) connects.
        let goal = try #require(result.summary.secondsToGoal)
        #expect(goal < 2)
        #expect(result.samples.last.map { $0.outboundRelay >= 10 } == true)
    }

    @Test("a scenario file overrides the defaults it names and rejects unknown fields")
    func loading() throws {
        let scenario = try Scenario.load(Data(#"{"name": "x", "peers": 500, "ourShards": [1, 2]}"#.utf8))
        #expect(scenario.name == "x" && scenario.peers == 500 && scenario.ourShards == [1, 2])
        #expect(scenario.maxConnections == Scenario().maxConnections)
        #expect(throws: ScenarioError.self) { try Scenario.load(Data(#"{"peer": 500}"#.utf8)) }
        #expect(throws: ScenarioError.self) { try Scenario.load(Data(#"{"unreachableFraction": 2}"#.utf8)) }
        #expect(throws: ScenarioError.self) { try Scenario.load(Data(#"{"ourShards": [9]}"#.utf8)) }
    }

    @Test("the generated network has the scenario's shares")
    func network() {
        var scenario = Scenario()
        scenario.peers = 5000
        let network = VirtualNetwork(scenario)
        let unreachable = Double(network.peers.count { !$0.reachable }) / 5000
        #expect(abs(unreachable - 0.3) < 0.03)
        let relay = Double(network.peers.count { $0.relay }) / 5000
        #expect(abs(relay - 0.85) < 0.03)
        #expect(network.peers.prefix(3).allSatisfy { $0.isProtected && $0.reachable && $0.relay })
        var perIP: [UInt32: Int] = [:]
        for peer in network.peers { perIP[peer.ip, default: 0] += 1 }
        #expect(perIP.values.contains { $0 == scenario.colocationGroupSize })
        #expect(network.peers.allSatisfy { (1...3).contains($0.shards.count) })
        #expect(Set(network.peers.map(\.id)).count == 5000)
    }

    @Test("a nearly empty shard gets few peers")
    func shardWeights() {
        var scenario = Scenario()
        scenario.peers = 4000
        scenario.shardWeights = [1, 1, 1, 1, 1, 1, 1, 0.01]
        let network = VirtualNetwork(scenario)
        let onLast = network.peers.count { $0.shards.contains(7) }
        let onFirst = network.peers.count { $0.shards.contains(0) }
        #expect(onLast * 10 < onFirst)
    }
}

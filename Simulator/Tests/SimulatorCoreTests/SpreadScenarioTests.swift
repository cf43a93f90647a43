import PeerCore
import PeerIdentity
import Testing

@testable import SimulatorCore

/// The network's IP structure, the peer-exchange source and the spread metrics
/// (``Scenario/concentratedFraction``, ``Scenario/peerExchangeFraction``).
@Suite("Subnets and discovery sources in the simulator")
struct SpreadScenarioTests {
    /// A policy that records the origin of every report.
    struct Recording: SimPolicy {
        var name = "recording"
        var reported: [(index: Int, origin: PeerOrigin)] = []
        let network: VirtualNetwork

        mutating func start(staticPeers: [PeerInfo], now: EngineTime) -> [SimCommand] { [] }
        mutating func discovered(_ info: PeerInfo, now: EngineTime) -> [SimCommand] {
            discovered(info, origin: .unknown, now: now)
        }
        mutating func discovered(_ info: PeerInfo, origin: PeerOrigin, now: EngineTime) -> [SimCommand] {
            if let index = network.byID[info.id] { reported.append((index, origin)) }
            return []
        }
        mutating func handle(_ event: HostEvent, now: EngineTime) -> [SimCommand] { [] }
        mutating func wake(now: EngineTime) -> [SimCommand] { [] }
        func nextWake(now: EngineTime) -> EngineTime { .epoch + .seconds(1_000_000) }
    }

    func sybil() -> Scenario {
        var scenario = Scenario()
        scenario.peers = 5000
        scenario.concentratedFraction = 0.3
        scenario.concentratedSubnets = 4
        return scenario
    }

    @Test("a share of hosts sits in the crowded subnets, the rest in distinct /16s; colocated peers share one IP")
    func addresses() {
        let network = VirtualNetwork(sybil())
        let concentrated = network.peers.filter(\.concentrated)
        #expect(abs(Double(concentrated.count) / 5000 - 0.3) < 0.04)
        #expect(Set(concentrated.map { $0.ip >> 16 }).count == 4)
        let spread = network.peers.filter { !$0.concentrated }
        let groups = Set(spread.map { $0.ip >> 16 })
        #expect(Double(groups.count) > 0.9 * Double(Set(spread.map(\.ip)).count))
        for peer in network.peers {
            #expect(
                peer.address.ipAddress
                    == IPv4Address(bytes: withUnsafeBytes(of: peer.ip.bigEndian, Array.init))?.description)
        }
        var perIP: [UInt32: Int] = [:]
        for peer in network.peers { perIP[peer.ip, default: 0] += 1 }
        #expect(perIP.values.contains { $0 == Scenario().colocationGroupSize })
    }

    @Test("no crowded subnet and no peer exchange leave every other draw of the network as it was")
    func defaultsKeepTheNetwork() {
        var scenario = sybil()
        scenario.concentratedFraction = 0
        let plain = VirtualNetwork(scenario)
        scenario.concentratedFraction = 0.3
        let crowded = VirtualNetwork(scenario)
        #expect(plain.peers.map(\.shards) == crowded.peers.map(\.shards))
        #expect(plain.peers.map(\.reachable) == crowded.peers.map(\.reachable))
        #expect(plain.peers.allSatisfy { !$0.concentrated })
    }

    @Test("a biased peer-exchange server reports mostly crowded peers, under its own origin")
    func peerExchange() {
        var scenario = sybil()
        scenario.peerExchangeFraction = 0.5
        scenario.peerExchangeBias = 1
        scenario.discoveryPerMinute = 120
        scenario.durationSeconds = 1800
        scenario.meanSessionMinutes = 0
        let network = VirtualNetwork(scenario)
        var simulation = Simulation(scenario: scenario, policy: Recording(network: network), network: network)
        _ = simulation.run()
        let reported = (simulation.policy as? Recording)?.reported ?? []
        let exchanged = reported.filter { $0.origin == .peerExchange }
        let discv5 = reported.filter { $0.origin == .discv5 }
        #expect(reported.count > 1000)
        #expect(abs(Double(exchanged.count) / Double(reported.count) - 0.5) < 0.06)
        #expect(exchanged.allSatisfy { network.peers[$0.index].concentrated })
        let crowdedByDiscv5 = Double(discv5.count { network.peers[$0.index].concentrated }) / Double(discv5.count)
        #expect(abs(crowdedByDiscv5 - 0.3) < 0.06)
    }

    @Test("the spread columns: peerd's spread holds fewer crowded peers than without it, and more /16s")
    func spreadMetrics() throws {
        var scenario = SimulationTests.small()
        scenario.concentratedFraction = 0.3
        scenario.peerExchangeFraction = 0.5
        scenario.peerExchangeBias = 0.8
        var with = try Simulation(scenario: scenario, policy: .peerd)
        var without = try Simulation(scenario: scenario, policy: .peerdNoSpread)
        let (a, b) = (with.run().summary, without.run().summary)
        #expect(a.meanOutboundGroups > 0 && a.meanLargestGroupPercent > 0)
        #expect(a.meanConcentratedPercent < b.meanConcentratedPercent)
        #expect(a.meanOutboundGroups > b.meanOutboundGroups)
        #expect(a.meanLargestGroupPercent < b.meanLargestGroupPercent)
    }
}

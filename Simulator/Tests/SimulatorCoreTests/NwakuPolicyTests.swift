import PeerCore
import PeerIdentity
import Testing

@testable import SimulatorCore

/// nwaku's documented behaviours (shared/reference/nwaku_behaviour.md §1.3, §6, §7) reproduced by
/// the simulator's nwaku mode, driven event by event.
@Suite("Nwaku policy (2024 seed)")
struct NwakuPolicyTests {
    @Test("targets: 80 % of 50 for relay, out = 40 div 3 = 13, in = 27")
    func targets() {
        let policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        #expect(policy.outTarget == 13)
        #expect(policy.inTarget == 27)
    }

    @Test("a batch of 10, the 5 s sleep of connectToNodes after it, then the rest of the round")
    func batchThenFiveSeconds() {
        var policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        for index in 0..<20 { _ = policy.discovered(info(index), now: at(0)) }
        let first = policy.wake(now: at(0)).dials
        #expect(first.count == 10)
        // Every dial of the batch fails at 0.5 s: the batch is over, connectToNodes sleeps 5 s.
        var next: [SimCommand] = []
        for command in first {
            next += policy.handle(.commandCompleted(command.id, .failed(reason: "refused")), now: at(0.5))
        }
        #expect(next.isEmpty)
        #expect(policy.nextWake(now: at(0.5)) == at(5.5))
        #expect(policy.wake(now: at(5.4)).isEmpty)
        // pending = min(20 candidates, 13 - 0) = 13: the second batch is the last 3.
        let second = policy.wake(now: at(5.5)).dials
        #expect(second.count == 3)
        #expect(Set(second.map(\.peer)).isDisjoint(with: Set(first.map(\.peer))))
    }

    @Test("no relay peer: the dynamic sleep is the 1 s floor (#3130)")
    func oneSecondFloor() {
        var policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        _ = policy.wake(now: at(0))  // no candidate at all: the round ends at once
        #expect(policy.nextWake(now: at(0)) == at(1))
    }

    @Test("a failed dial: CannotConnect, failures 1, no redial for 120 s; a success resets the count")
    func backoff() {
        var policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        _ = policy.discovered(info(1), now: at(0))
        let dial = policy.wake(now: at(0)).dials
        #expect(dial.map(\.peer) == [peerID(1)])
        _ = policy.handle(.commandCompleted(dial[0].id, .timedOut), now: at(10))
        #expect(policy.peers[peerID(1)]?.connectedness == .cannotConnect)
        #expect(policy.peers[peerID(1)]?.failedAttempts == 1)
        #expect(policy.wake(now: at(15)).isEmpty)  // batch sleep over, peer backed off
        #expect(policy.wake(now: at(129)).dials.isEmpty)
        let redial = policy.wake(now: at(131)).dials
        #expect(redial.map(\.peer) == [peerID(1)])
        connect(&policy, 1, .outbound, conn: 1, now: at(132))
        _ = policy.handle(.commandCompleted(redial[0].id, .succeeded), now: at(132))
        #expect(policy.peers[peerID(1)]?.failedAttempts == 0)
    }

    @Test("canBeConnected(): 120 x 4^(n-1) s in whole seconds, never from 5 failures on")
    func canBeConnected() {
        let policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        for (failures, wait) in [(1, Int64(120)), (2, 480), (3, 1920), (4, 7680)] {
            let peer = NwakuPolicy.Peer(addresses: [], failedAttempts: failures, lastFailedSeconds: 1000)
            #expect(!policy.canBeConnected(peer, now: .seconds(1000 + wait - 1)))
            #expect(policy.canBeConnected(peer, now: .seconds(1000 + wait)))
        }
        let dead = NwakuPolicy.Peer(addresses: [], failedAttempts: 5, lastFailedSeconds: 0)
        #expect(!policy.canBeConnected(dead, now: .seconds(10_000_000)))
    }

    @Test("candidates are not relay-filtered: a service-only peer is dialled (§7 bug 7)")
    func dialsServicePeers() {
        var policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        _ = policy.discovered(info(1, relay: false), now: at(0))
        #expect(policy.wake(now: at(0)).dials.map(\.peer) == [peerID(1)])
    }

    @Test("colocation limit 5: the oldest peers behind the IP are disconnected and deleted (§6.1 #22, bug 5)")
    func colocation() {
        var policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        var disconnected: Set<PeerID> = []
        for index in 0..<7 {
            _ = policy.discovered(info(index), now: at(0))
            disconnected.formUnion(
                connect(&policy, index, .inbound, conn: UInt64(index), ip: "10.9.9.9", now: at(Double(index))))
        }
        // The 6th and 7th joins push the two oldest out; the newcomers survive.
        #expect(disconnected == [peerID(0), peerID(1)])
        #expect(policy.peers[peerID(0)] == nil && policy.peers[peerID(1)] == nil)
        #expect(policy.peers[peerID(6)]?.connectedness == .connected)
    }

    @Test("in-relay cap on Joined cuts the joining relay peer, even one we dialled (§7 bug 6)")
    func inboundCapCutsOutbound() {
        var policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        // 28 inbound relay peers (target 27), each with its relay stream and identify.
        for index in 0..<28 {
            _ = policy.discovered(info(index), now: at(0))
            connect(&policy, index, .inbound, conn: UInt64(index), now: at(1), relayStream: true)
        }
        _ = policy.discovered(info(100), now: at(2))
        let commands = connect(&policy, 100, .outbound, conn: 100, now: at(2))
        #expect(commands.contains(peerID(100)))
    }

    @Test("metadata from another cluster disconnects (§6.1 #9)")
    func otherCluster() throws {
        var policy = NwakuPolicy(scenario: Scenario(), seed: 1)
        _ = policy.discovered(info(1), now: at(0))
        let opened = policy.handle(
            .connectionOpened(ConnectionID(1), peer: peerID(1), direction: .inbound, observedAddress: nil), now: at(0))
        let request = try #require(opened.first { if case .requestMetadata = $0.command { true } else { false } })
        let answer = policy.handle(
            .commandCompleted(request.id, .metadata(.received(clusterID: 9, shards: [0]))), now: at(1))
        #expect(answer.disconnected == [peerID(1)])
    }

    @Test("prunePeerStore: failed peers first, connected ones kept otherwise (§6.1 #19)")
    func pruneQuota() {
        var scenario = Scenario()
        scenario.maxConnections = 14  // capacity 70
        var policy = NwakuPolicy(scenario: scenario, seed: 1)
        for index in 0..<75 { _ = policy.discovered(info(index, shards: []), now: at(0)) }
        for index in 0..<5 { policy.setFailures(peerID(index), 5) }
        for index in 10..<16 { connect(&policy, index, .inbound, conn: UInt64(index), now: at(1)) }
        policy.prunePeerStore()
        #expect(policy.order.count == 70)
        #expect((0..<5).allSatisfy { policy.peers[peerID($0)] == nil })
        #expect((10..<16).allSatisfy { policy.peers[peerID($0)] != nil })
    }

    @Test("prunePeerStore prunes the first shard's peers, not the crowded shard's (§7 bugs 1, 2)")
    func pruneBug() {
        var scenario = Scenario()
        scenario.maxConnections = 14  // capacity 70
        var policy = NwakuPolicy(scenario: scenario, seed: 1)
        // Shard 0: 2 peers; shard 1: 69. One over capacity. A fixed algorithm (avg = max(1, 35),
        // exclusive slice) would prune from shard 1; the seed's avg = min(1, 35) = 1 and the
        // inclusive slice make shard 0's peers prunable first.
        for index in 0..<2 { _ = policy.discovered(info(index, shards: [0]), now: at(0)) }
        for index in 2..<71 { _ = policy.discovered(info(index, shards: [1]), now: at(0)) }
        policy.prunePeerStore()
        #expect(policy.order.count == 70)
        #expect(policy.peers[peerID(0)] == nil || policy.peers[peerID(1)] == nil)
    }

    @Test("a relay peer with no shard in common is disconnected after identify (2024 metadata rule)")
    func noSharedShard() {
        var scenario = Scenario()
        scenario.ourShards = [0]
        var policy = NwakuPolicy(scenario: scenario, seed: 1)
        _ = policy.discovered(info(1, shards: [5]), now: at(0))
        _ = policy.handle(.identified(peer: peerID(1), IdentifyInfo(protocols: [WakuCodec.relay])), now: at(0))
        let opened = policy.handle(
            .connectionOpened(ConnectionID(1), peer: peerID(1), direction: .inbound, observedAddress: nil), now: at(0))
        let answer = policy.handle(
            .commandCompleted(opened[0].id, .metadata(.received(clusterID: 1, shards: [5]))), now: at(1))
        #expect(answer.disconnected == [peerID(1)])
    }
}

// MARK: Helpers

func at(_ seconds: Double) -> EngineTime { .epoch + .milliseconds(Int64(seconds * 1000)) }

func peerID(_ index: Int) -> PeerID { VirtualNetwork.peerID(index) }

func info(_ index: Int, relay: Bool = true, shards: [UInt16] = [0]) -> PeerInfo {
    PeerInfo(
        id: peerID(index), addresses: [VirtualNetwork.address(UInt32(0x0A00_0000 + index))],
        enr: PeerENRInfo(
            sequence: 1, text: "enr:test-\(index)",
            relayShards: shards.isEmpty ? nil : RelayShards(clusterID: 1, shardIDs: shards),
            capabilities: relay ? [.relay] : [.store]))
}

/// Opens a connection, identifies the peer as relay, answers its metadata; returns the peers the
/// policy asked to disconnect.
@discardableResult
func connect(
    _ policy: inout NwakuPolicy, _ index: Int, _ direction: PeerDirection, conn: UInt64, ip: String? = nil,
    now: EngineTime, relayStream: Bool = false
) -> [PeerID] {
    let address = ip.flatMap { try? Multiaddr("/ip4/\($0)/tcp/1") }
    var commands = policy.handle(.identified(peer: peerID(index), IdentifyInfo(protocols: [WakuCodec.relay])), now: now)
    commands += policy.handle(
        .connectionOpened(ConnectionID(conn), peer: peerID(index), direction: direction, observedAddress: address),
        now: now)
    if relayStream {
        commands += policy.handle(
            .streamOpened(peer: peerID(index), protocolID: WakuCodec.relay, direction: direction), now: now)
    }
    for command in commands {
        if case .requestMetadata = command.command {
            commands += policy.handle(
                .commandCompleted(command.id, .metadata(.received(clusterID: 1, shards: [0]))), now: now)
        }
    }
    return commands.disconnected
}

extension Array where Element == SimCommand {
    var dials: [(id: CommandID, peer: PeerID)] {
        compactMap { if case .dial(let peer, _, _, _) = $0.command { ($0.id, peer) } else { nil } }
    }
    var disconnected: [PeerID] {
        compactMap { if case .disconnect(let peer, _) = $0.command { peer } else { nil } }
    }
}

extension NwakuPolicy {
    mutating func setFailures(_ peer: PeerID, _ failures: Int) { peers[peer]?.failedAttempts = failures }
}

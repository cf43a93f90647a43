import Foundation
import PeerCore
import PeerIdentity
import PeerTrace
import Testing

@testable import SimulatorCore

/// A policy that forwards to another and notes every peer the host connected.
struct ConnectionNotingPolicy: SimPolicy {
    var inner: any SimPolicy
    var connected: Set<PeerID> = []
    var name: String { inner.name }

    mutating func start(staticPeers: [PeerInfo], now: EngineTime) -> [SimCommand] {
        inner.start(staticPeers: staticPeers, now: now)
    }
    mutating func discovered(_ info: PeerInfo, now: EngineTime) -> [SimCommand] { inner.discovered(info, now: now) }
    mutating func handle(_ event: HostEvent, now: EngineTime) -> [SimCommand] {
        if case .connectionOpened(_, let peer, _, _) = event { connected.insert(peer) }
        return inner.handle(event, now: now)
    }
    mutating func wake(now: EngineTime) -> [SimCommand] { inner.wake(now: now) }
    func nextWake(now: EngineTime) -> EngineTime { inner.nextWake(now: now) }
}

@Suite("Trace replay")
struct TraceReplayTests {
    static func secretKey(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: 30) + [UInt8(n >> 8), UInt8(n & 0xff)] }

    static func enr(_ n: Int, shards: [UInt16]) -> ENR {
        try! ENR.sign(
            seq: 1,
            entries: [
                .ip(IPv4Address("10.1.\(n >> 8).\(n & 0xff)")!), .tcp(60000), .waku2([.relay]),
                .relayShards(RelayShards(clusterID: 1, shardIDs: shards)),
            ],
            secretKey: secretKey(n))
    }

    static func address(_ n: Int) -> Multiaddr { try! Multiaddr("/ip4/10.1.\(n >> 8).\(n & 0xff)/tcp/60000") }

    /// A small recorded session: 30 relay peers of shard 0 added; 12 dialled (8 connect, 2 refuse,
    /// 2 time out); an inbound peer; peer 1 leaves (remote close), peer 2 leaves and comes back.
    static func trace() -> HostTrace {
        var entries: [TraceEntry] = []
        func at(_ ms: Int64, _ record: TraceRecord) { entries.append(TraceEntry(milliseconds: ms, record: record)) }
        let me = enr(999, shards: [0]).peerID
        at(0, .session(.attached(id: 1, selfID: me, clusterID: 1, shards: [0], online: true, takeOver: false)))
        var peers: [Int: PeerID] = [:]
        for n in 1...30 {
            let record = enr(n, shards: [0])
            peers[n] = record.peerID
            let info = PeerInfo(
                id: record.peerID, addresses: [address(n)],
                enr: PeerENRInfo(
                    sequence: record.seq, text: record.description, relayShards: record.relayShards,
                    capabilities: [.relay]))
            at(Int64(n * 10), .peerAdded(info, origin: .discv5))
        }
        var command: UInt64 = 1
        var connection: UInt64 = 1
        for n in 1...12 {
            let id = CommandID(command)
            command += 1
            let peer = peers[n]!
            at(
                1000 + Int64(n),
                .command(
                    IssuedCommand(
                        id: id,
                        command: .dial(peer: peer, addresses: [address(n)], timeout: .seconds(5), protocolID: nil))))
            switch n {
            case 1...8:
                at(
                    1100 + Int64(n),
                    .event(
                        .connectionOpened(
                            ConnectionID(connection), peer: peer, direction: .outbound, observedAddress: address(n))))
                at(1100 + Int64(n), .event(.commandCompleted(id, .succeeded)))
                at(
                    1400 + Int64(n),
                    .event(.identified(peer: peer, IdentifyInfo(protocols: [WakuCodec.relay, WakuCodec.metadata]))))
                at(
                    1500 + Int64(n),
                    .event(.streamOpened(peer: peer, protocolID: WakuCodec.relay, direction: .outbound)))
                connection += 1
            case 9...10: at(1150 + Int64(n), .event(.commandCompleted(id, .failed(reason: "connection refused"))))
            default: at(6000 + Int64(n), .event(.commandCompleted(id, .timedOut)))
            }
        }
        // An inbound peer nobody added, and a remote close of peer 1's connection.
        let inbound = enr(40, shards: [0]).peerID
        at(
            7000,
            .event(
                .connectionOpened(ConnectionID(100), peer: inbound, direction: .inbound, observedAddress: address(40))))
        at(8000, .event(.connectionClosed(ConnectionID(1))))
        // Peer 2 leaves and comes back inbound.
        at(8100, .event(.connectionClosed(ConnectionID(2))))
        at(
            9500,
            .event(
                .connectionOpened(ConnectionID(101), peer: peers[2]!, direction: .inbound, observedAddress: address(2)))
        )
        at(9000, .event(.networkReachability(online: true)))
        at(600_000, .session(.detached(id: 1, reason: "the host ended the stream")))
        // In time order, records of one instant as written.
        let ordered = entries.enumerated().sorted {
            ($0.element.milliseconds, $0.offset) < ($1.element.milliseconds, $1.offset)
        }
        return HostTrace(
            header: TraceHeader(started: .seconds(1_795_000_000), clusterID: 1, shards: [0], maxConnections: 20),
            entries: ordered.map(\.element))
    }

    @Test("the network learnt from the trace: every peer, reachability from the recorded dials")
    func network() throws {
        let replay = TraceNetwork(trace: Self.trace(), seed: 3)
        #expect(replay.network.peers.count == 31)
        #expect(replay.scenario.clusterID == 1)
        #expect(replay.scenario.ourShards == [0])
        #expect(replay.scenario.maxConnections == 20)
        #expect(replay.scenario.durationSeconds == 601)
        #expect(replay.dialledReachable.count == 9)  // 8 dialled + 1 inbound
        #expect(replay.dialledUnreachable.count == 4)
        let inbound = Self.enr(40, shards: [0]).peerID
        for peer in replay.network.peers {
            // The inbound peer told nothing (no ENR, no identify): not known as a relay peer.
            #expect(peer.relay == (peer.id != inbound))
            #expect(peer.clusterID == 1)
            #expect(peer.shards == (peer.id == inbound ? [] : [0]))
            if replay.dialledUnreachable.contains(peer.id) { #expect(!peer.reachable) }
            if replay.dialledReachable.contains(peer.id) { #expect(peer.reachable) }
        }
        let refused = replay.network.peers.filter { replay.dialledUnreachable.contains($0.id) && $0.refuses }
        #expect(refused.count == 2)
        // 30 AddPeers, 2 inbound connections, 2 remote closes, 1 return, 1 reachability change.
        #expect(replay.externals.count == 30 + 2 + 2 + 1 + 1)
        let peer1 = try #require(replay.network.byID[Self.enr(1, shards: [0]).peerID])
        let peer2 = try #require(replay.network.byID[Self.enr(2, shards: [0]).peerID])
        #expect(replay.externals.contains { $0.at == .milliseconds(8000) && $0.event == .remoteClose(peer: peer1) })
        #expect(replay.externals.contains { $0.at == .milliseconds(9500) && $0.event == .back(peer: peer2) })
    }

    @Test("a trace file replays deterministically against nwaku and peerd with sane metrics")
    func replaysDeterministically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trace-replay-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("small.jsonl").path
        try Data(try TraceEncoder().encode(Self.trace())).write(to: URL(fileURLWithPath: path))
        let first = try Simulation.replay(traceAt: path, policies: [.nwaku, .peerd], seed: 5)
        let second = try Simulation.replay(traceAt: path, policies: [.nwaku, .peerd], seed: 5)
        #expect(first.results.map(\.summary) == second.results.map(\.summary))
        #expect(first.results.map(\.samples) == second.results.map(\.samples))
        for result in first.results {
            let summary = result.summary
            #expect(summary.scenario == "small")
            #expect(summary.dials > 0)
            #expect(summary.peakConnections > 0)
            #expect(summary.peakConnections <= 20)
            #expect(summary.meanOutboundRelay > 0)
        }
    }

    @Test("a peer recorded unreachable is never connected, by either policy", arguments: [PolicyKind.nwaku, .peerd])
    func unreachableNeverConnected(kind: PolicyKind) throws {
        let replay = TraceNetwork(trace: Self.trace(), seed: 5)
        let noting = ConnectionNotingPolicy(inner: try kind.make(replay.scenario))
        var simulation = Simulation(scenario: replay.scenario, policy: noting, network: replay.network)
        simulation.externals = replay.externals
        _ = simulation.run()
        let connected = try #require(simulation.policy as? ConnectionNotingPolicy).connected
        #expect(!connected.isEmpty)
        #expect(connected.isDisjoint(with: replay.dialledUnreachable))
    }

    /// Fixtures/small-trace.jsonl: ``trace()`` as a file, for `peerd-sim replay` by hand
    /// (SIMULATION.md, "Record and replay").
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/small-trace.jsonl")

    @Test("the fixture file is the codec's encoding of the test trace")
    func fixtureInSync() throws {
        #expect(Array(try Data(contentsOf: Self.fixture)) == (try TraceEncoder().encode(Self.trace())))
    }

    @Test("a peer whose remote left is offline until it connects again", arguments: [PolicyKind.nwaku, .peerd])
    func onlinePeriods(kind: PolicyKind) throws {
        let replay = TraceNetwork(trace: Self.trace(), seed: 5)
        var simulation = try Simulation(replay: replay, policy: kind)
        _ = simulation.run()
        let peer1 = try #require(replay.network.byID[Self.enr(1, shards: [0]).peerID])
        let peer2 = try #require(replay.network.byID[Self.enr(2, shards: [0]).peerID])
        #expect(!simulation.online[peer1])
        #expect(simulation.connectionOf[peer1] == nil)
        #expect(simulation.online[peer2])
    }

    @Test("a static AddPeer is the application's static peer (once), other AddPeers keep their origin")
    func staticPeers() throws {
        var trace = Self.trace()
        let record = Self.enr(50, shards: [0])
        let info = PeerInfo(
            id: record.peerID, addresses: [Self.address(50)],
            enr: PeerENRInfo(
                sequence: record.seq, text: record.description, relayShards: record.relayShards, capabilities: [.relay])
        )
        let exchanged = Self.enr(51, shards: [0])
        let exchangedInfo = PeerInfo(id: exchanged.peerID, addresses: [Self.address(51)])
        trace.entries.insert(TraceEntry(milliseconds: 0, record: .peerAdded(info, origin: .static)), at: 1)
        trace.entries.insert(
            TraceEntry(milliseconds: 500, record: .peerAdded(exchangedInfo, origin: .peerExchange)), at: 2)
        trace.entries.insert(TraceEntry(milliseconds: 600, record: .peerAdded(info, origin: .static)), at: 3)
        let replay = TraceNetwork(trace: trace, seed: 3)
        let peer = try #require(replay.network.byID[record.peerID])
        let exchangedPeer = try #require(replay.network.byID[exchanged.peerID])
        #expect(replay.network.peers[peer].isProtected)
        #expect(replay.network.peers.count { $0.isProtected } == 1)
        #expect(replay.externals.filter { if case .staticPeer = $0.event { true } else { false } }.count == 1)
        #expect(replay.externals.contains { $0.at == .zero && $0.event == .staticPeer(peer: peer, info) })
        #expect(
            replay.externals.contains {
                $0.at == .milliseconds(600) && $0.event == .discovered(peer: peer, info, origin: .static)
            })
        #expect(
            replay.externals.contains {
                $0.at == .milliseconds(500)
                    && $0.event == .discovered(peer: exchangedPeer, exchangedInfo, origin: .peerExchange)
            })
    }

    @Test("a trace that is not one is refused with its line")
    func refusesBadTrace() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"trace\":\"peerd-host-trace\",\"version\":9}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TraceDecodingError(line: 1, message: "version 9 is newer than this peerd reads (1)")) {
            _ = try Simulation.replay(traceAt: path, policies: [.peerd])
        }
    }
}

@Suite("Trace recording")
struct TraceRecordingTests {
    static func small() -> Scenario {
        var scenario = SimulationTests.small(seed: 11, churn: false)
        scenario.peers = 300
        scenario.durationSeconds = 1200
        return scenario
    }

    @Test(
        "a simulated run recorded as a trace decodes, and replaying it gives close figures",
        arguments: [PolicyKind.peerd, .nwaku])
    func recordThenReplay(kind: PolicyKind) throws {
        var original = try Simulation(scenario: Self.small(), policy: kind)
        original.recordTrace()
        let run = original.run().summary
        let recorded = try #require(original.recordedTrace)
        // Through the file format: every id and ENR must be one a trace accepts.
        let trace = try TraceDecoder().decode(try TraceEncoder().encode(recorded))
        #expect(trace == recorded)
        var replay = try Simulation(replay: TraceNetwork(trace: trace, seed: 11), policy: kind)
        let replayed = replay.run().summary
        #expect(replayed.peers <= run.peers)
        #expect(abs(replayed.meanOutboundRelay - run.meanOutboundRelay) <= max(2, run.meanOutboundRelay * 0.25))
        #expect(abs(replayed.peakConnections - run.peakConnections) <= max(3, run.peakConnections / 4))
        #expect(abs(replayed.dials - run.dials) <= max(10, run.dials / 2))
    }

    /// `steady.json` (unreachable 30 %) with 2000 peers, the first 3 minutes.
    static func steady(seed: UInt64) -> Scenario {
        var scenario = Scenario()
        scenario.name = "steady"
        scenario.seed = seed
        scenario.peers = 2000
        scenario.durationSeconds = 180
        scenario.unreachableFraction = 0.3
        return scenario
    }

    /// Before static peers replayed as static (they replayed as discovered), nwaku's replayed
    /// time to the outbound goal was 31-49 s where the recorded one was 0.7-15.6 s (seeds 1, 3,
    /// 4, 6): nwaku dials static peers at once, outside its connectivity loop.
    @Test(
        "replaying a recorded run reaches the outbound goal within 2 s or 10 % of the recorded time",
        arguments: [PolicyKind.nwaku, .peerd], [UInt64(1), 3, 4, 6])
    func timeToGoal(kind: PolicyKind, seed: UInt64) throws {
        var original = try Simulation(scenario: Self.steady(seed: seed), policy: kind)
        original.recordTrace()
        let recorded = try #require(original.run().summary.secondsToGoal)
        let trace = try #require(original.recordedTrace)
        var replay = try Simulation(replay: TraceNetwork(trace: trace, seed: seed), policy: kind)
        let replayed = try #require(replay.run().summary.secondsToGoal)
        #expect(abs(replayed - recorded) <= max(2, recorded * 0.1), "recorded \(recorded) s, replayed \(replayed) s")
    }
}

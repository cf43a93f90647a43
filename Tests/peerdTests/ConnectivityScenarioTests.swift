import Foundation
import PeerTestSupport
import PeerWire
import Testing

/// nwaku's connectivity scenarios played by a scripted host against the real peerd: identify
/// late or never, partial rounds, redials, relay peers on other shards.
@Suite("Connectivity scenarios")
struct ConnectivityScenarioTests {
    static let relay = "/vac/waku/relay/2.0.0"

    /// A host that answers peerd's commands as a node would, with events it may delay.
    final class Node {
        let host: ScriptedHost
        let start = Date()
        var dials: [(peer: String, at: TimeInterval)] = []
        var disconnects: [(peer: String, reason: String)] = []
        var connected: Set<String> = []
        private var nextConnection: UInt64 = 1
        private var scheduled: [(at: Date, event: PeerManagerV1.HostEvent.OneOf_Event)] = []
        /// Decides a dial's fate: `nil` connects it, a text fails it with that reason.
        var failDial: (String) -> String? = { _ in nil }
        /// When identify follows a connection (`nil`: never), and what it lists.
        var identifyDelay: TimeInterval? = 0
        var identifyProtocols: [String] = [ConnectivityScenarioTests.relay]
        /// The metadata shards each peer reports.
        var shards: (String) -> [UInt32] = { _ in [0] }

        init(
            socketPath: String, clusterID: UInt32? = nil, connections: [PeerManagerV1.ConnectionOpened] = []
        ) throws {
            host = try ScriptedHost(socketPath: socketPath)
            host.client.setReceiveTimeout(.milliseconds(20))
            try host.attach(
                PeerManagerV1.HostHello(
                    peerID: TestPeers.id(9999), clusterID: clusterID, online: true, connections: connections))
        }

        var elapsed: TimeInterval { Date().timeIntervalSince(start) }

        func schedule(after delay: TimeInterval, _ event: PeerManagerV1.HostEvent.OneOf_Event) {
            scheduled.append((Date().addingTimeInterval(delay), event))
        }

        /// An inbound connection, identified as relay at once.
        func inbound(_ n: Int) throws {
            let peer = TestPeers.id(n)
            try connect(peer, direction: .inbound)
            try host.send(.identified(.init(peerID: peer, protocols: [ConnectivityScenarioTests.relay])))
        }

        private func connect(_ peer: String, direction: PeerManagerV1.Direction) throws {
            let id = nextConnection
            nextConnection += 1
            connected.insert(peer)
            try host.send(
                .connectionOpened(
                    .init(
                        connectionID: id, peerID: peer, direction: direction,
                        observedAddress: "/ip4/10.8.\(id / 250).\(id % 250 + 1)/tcp/4000")))
        }

        /// Answers commands and sends due events for `seconds`.
        func run(for seconds: TimeInterval) throws {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                let now = Date()
                let due = scheduled.filter { $0.at <= now }
                scheduled.removeAll { $0.at <= now }
                for item in due { try host.send(item.event) }
                guard let frame = try? host.client.readFrame() else { continue }
                guard frame.type == .data else { return }
                try answer(try PeerManagerV1.HostCommand(wire: frame.payload))
            }
        }

        private func answer(_ command: PeerManagerV1.HostCommand) throws {
            switch command.command {
            case .dial(let dial)?:
                dials.append((dial.peerID, elapsed))
                if let reason = failDial(dial.peerID) {
                    try host.send(.commandResult(.init(commandID: command.commandID, outcome: .failed(reason))))
                    return
                }
                try connect(dial.peerID, direction: .outbound)
                try host.send(.commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))))
                if let delay = identifyDelay {
                    schedule(after: delay, .identified(.init(peerID: dial.peerID, protocols: identifyProtocols)))
                }
            case .disconnect(let disconnect)?:
                disconnects.append((disconnect.peerID, disconnect.reason))
                connected.remove(disconnect.peerID)
                try host.send(.commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))))
            case .requestMetadata(let request)?:
                try host.send(
                    .commandResult(
                        .init(
                            commandID: command.commandID,
                            outcome: .metadata(.init(clusterID: 1, shards: shards(request.peerID))))))
            default:
                break
            }
        }
    }

    static func addPeers(_ range: ClosedRange<Int>, protocols: [String], to peerd: PeerdProcess) throws {
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        for n in range {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                "AddPeer",
                PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n, protocols: protocols)), origin: .discv5))
        }
    }

    static func statistics(_ peerd: PeerdProcess) throws -> PeerManagerV1.Statistics {
        try PeerManagerClient(socketPath: peerd.socketPath).call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
    }

    @Test("identify 1.5 s after each dial: the outbound target is not overshot")
    func lateIdentify() throws {
        let peerd = try PeerdProcess(arguments: ["--max-connections", "50"])  // outbound target 10
        try Self.addPeers(1...60, protocols: [], to: peerd)
        let node = try Node(socketPath: peerd.socketPath)
        node.identifyDelay = 1.5
        try node.run(for: 4.5)
        #expect(node.dials.count == 10, "dials: \(node.dials.count)")
        let stats = try Self.statistics(peerd)
        #expect(stats.outboundRelay == 10)
    }

    @Test("no identify at all: peerd stays within its outbound target and --max-connections")
    func noIdentify() throws {
        let peerd = try PeerdProcess(arguments: ["--max-connections", "50"])
        try Self.addPeers(1...100, protocols: [], to: peerd)
        let node = try Node(socketPath: peerd.socketPath)
        node.identifyDelay = nil
        try node.run(for: 4)
        #expect(node.dials.count == 10, "dials: \(node.dials.count)")
    }

    @Test("connected peers and dials in flight never exceed --max-connections")
    func maxConnections() throws {
        // 20 connections: relay 12, outbound target 4.
        let peerd = try PeerdProcess(arguments: ["--max-connections", "20", "--ip-colocation-limit", "0"])
        try Self.addPeers(1...30, protocols: [Self.relay], to: peerd)
        // 18 inbound peers of unknown kind (never identified) hold 18 of the 20 connections.
        let inbound = (1000..<1018).map { n in
            PeerManagerV1.ConnectionOpened(
                connectionID: UInt64(n), peerID: TestPeers.id(n), direction: .inbound,
                observedAddress: "/ip4/10.7.\(n / 250).\(n % 250 + 1)/tcp/4000")
        }
        let node = try Node(socketPath: peerd.socketPath, connections: inbound)
        try node.run(for: 3)
        // Outbound target 4, room for 2.
        #expect(node.dials.count == 2, "dials: \(node.dials.count)")
    }

    @Test("after a round that reached 5 of 10, the next round waits half the interval")
    func partialRound() throws {
        let peerd = try PeerdProcess(arguments: ["--max-connections", "50"])
        try Self.addPeers(1...5, protocols: [Self.relay], to: peerd)
        let node = try Node(socketPath: peerd.socketPath)
        try node.run(for: 0.5)
        #expect(node.dials.count == 5)
        // New candidates: nwaku would dial them after its 15 s sleep, not a second later.
        try Self.addPeers(6...10, protocols: [Self.relay], to: peerd)
        try node.run(for: 3.5)
        #expect(node.dials.count == 5, "dials: \(node.dials.map(\.at))")
    }

    @Test("a redial goes out when the backoff ends, not at the next round")
    func redialOnTime() throws {
        let peerd = try PeerdProcess(arguments: ["--max-connections", "50", "--initial-backoff", "2"])
        try Self.addPeers(1...10, protocols: [Self.relay], to: peerd)
        let node = try Node(socketPath: peerd.socketPath)
        let failing = TestPeers.id(7)
        var failedAt: TimeInterval?
        node.failDial = { peer in
            guard peer == failing, failedAt == nil else { return nil }
            failedAt = node.elapsed
            return "refused"
        }
        // 9 of 10 connected: the next round is 27 s away; the redial is due 2 s after the failure.
        try node.run(for: 3.5)
        let redials = node.dials.filter { $0.peer == failing }
        try #require(
            redials.count == 2, "dials of the failing peer: \(redials.map(\.at)); log:\n\(peerd.logTail(lines: 30))")
        let late = redials[1].at - (failedAt ?? 0)
        #expect(late >= 2 && late < 2.4, "redialled \(late) s after the failure")
    }

    @Test("a relay peer that shares no shard with us holds no relay slot and goes first when full")
    func offShardPeer() throws {
        // Inbound target 20.
        let peerd = try PeerdProcess(
            arguments: ["--max-connections", "50", "--cluster-id", "1", "--shard", "0", "--ip-colocation-limit", "0"])
        let node = try Node(socketPath: peerd.socketPath, clusterID: 1)
        let offShard = TestPeers.id(500)
        node.shards = { $0 == offShard ? [5] : [0] }
        try node.inbound(500)
        try node.run(for: 0.3)
        for n in 1...20 { try node.inbound(n) }
        try node.run(for: 2.5)
        #expect(node.disconnects.map(\.peer) == [offShard], "disconnects: \(node.disconnects)")
        #expect(node.disconnects.first?.reason == "inbound_relay_pruned")
        let stats = try Self.statistics(peerd)
        #expect(stats.inboundRelay == 20)
    }

    @Test("outbound relay peers over target once identified are pruned, youngest first")
    func outboundSurplus() throws {
        let peerd = try PeerdProcess(arguments: ["--max-connections", "50", "--ip-colocation-limit", "0"])
        // The host dialled 12 peers itself (outbound target 10) before attaching.
        let outbound = (1...12).map { n in
            PeerManagerV1.ConnectionOpened(
                connectionID: UInt64(n), peerID: TestPeers.id(n), direction: .outbound,
                observedAddress: "/ip4/10.6.0.\(n)/tcp/4000")
        }
        let node = try Node(socketPath: peerd.socketPath, connections: Array(outbound.prefix(10)))
        try node.run(for: 0.2)
        for connection in outbound.suffix(2) {
            try node.host.send(.connectionOpened(connection))
        }
        for n in 1...12 {
            try node.host.send(.identified(.init(peerID: TestPeers.id(n), protocols: [Self.relay])))
        }
        try node.run(for: 2.5)
        #expect(Set(node.disconnects.map(\.peer)) == [TestPeers.id(11), TestPeers.id(12)])
        #expect(node.disconnects.allSatisfy { $0.reason == "outbound_relay_pruned" })
        #expect(try Self.statistics(peerd).outboundRelay == 10)
    }
}

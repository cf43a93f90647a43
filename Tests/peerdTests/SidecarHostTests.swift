import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// The sidecar end to end: the real peerd, a host scripted over the real socket, queries from a
/// second connection.
@Suite("peerd with a scripted host")
struct SidecarHostTests {
    static let relay = "/vac/waku/relay/2.0.0"

    static func hello(
        _ n: Int = 9999, clusterID: UInt32? = nil, takeOver: Bool = false,
        connections: [PeerManagerV1.ConnectionOpened] = []
    ) -> PeerManagerV1.HostHello {
        PeerManagerV1.HostHello(
            peerID: TestPeers.id(n), clusterID: clusterID, online: true, takeOver: takeOver, connections: connections)
    }

    static func opened(_ n: Int, conn: UInt64, direction: PeerManagerV1.Direction = .inbound, ip: String? = nil)
        -> PeerManagerV1.ConnectionOpened
    {
        PeerManagerV1.ConnectionOpened(
            connectionID: conn, peerID: TestPeers.id(n), direction: direction,
            observedAddress: "/ip4/\(ip ?? "10.9.\(n / 250).\(n % 250 + 1)")/tcp/4000")
    }

    @Test("Dials go out in batches of 10 up to the outbound target; failures put peers in backoff")
    func dialBatchesAndBackoff() throws {
        // 100 connections, 60:40 -> relay 60, outbound target 20.
        let peerd = try PeerdProcess(arguments: ["--max-connections", "100"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        for n in 1...30 {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer,
                PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n)), origin: .discv5))
        }
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(Self.hello())

        let first = try host.commands(10)
        let firstPeers = Set(first.compactMap { if case .dial(let dial)? = $0.command { dial.peerID } else { nil } })
        #expect(firstPeers.count == 10)
        #expect(first.allSatisfy { if case .dial(let dial)? = $0.command { dial.timeoutMs == 10_000 } else { false } })

        // The first batch connects: the next batch follows its outcomes.
        for (index, command) in first.enumerated() {
            guard case .dial(let dial)? = command.command else { continue }
            try host.send(
                .connectionOpened(
                    .init(
                        connectionID: UInt64(index + 1), peerID: dial.peerID, direction: .outbound,
                        observedAddress: dial.addresses.first ?? "")))
            try host.send(.commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))))
        }
        let second = try host.commands(10)
        let secondDials = second.compactMap { if case .dial(let dial)? = $0.command { dial.peerID } else { nil } }
        #expect(Set(secondDials).count == 10)
        #expect(Set(secondDials).isDisjoint(with: firstPeers))

        // The second batch fails: those peers are in backoff (120 s after one failure).
        for command in second {
            try host.send(.commandResult(.init(commandID: command.commandID, outcome: .failed("connection refused"))))
        }
        let failed = try #require(secondDials.first)
        let deadline = Date().addingTimeInterval(10)
        var answer = PeerManagerV1.CanBeConnectedResponse()
        repeat {
            answer = try admin.call(
                PeerManagerV1.PeerManager.canBeConnected, PeerManagerV1.CanBeConnectedRequest(peerID: failed))
        } while answer.allowed && Date() < deadline
        #expect(!answer.allowed)
        let earliest = try #require(answer.earliestMs)
        let wait = Double(earliest) / 1000 - Date().timeIntervalSince1970
        #expect(wait > 100 && wait <= 120)
        let peer: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: failed))
        #expect(peer.failedDials == 1)
        #expect(peer.connectedness == .cannotConnect)

        let stats: PeerManagerV1.Statistics = try admin.call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
        #expect(stats.outboundRelay == 10)
        #expect(stats.targetOutbound == 20)
        #expect(stats.hostAttached)
    }

    @Test("The IP colocation limit disconnects the newcomer beyond the limit")
    func colocation() throws {
        let peerd = try PeerdProcess(arguments: ["--ip-colocation-limit", "2"])
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(Self.hello())
        for n in 1...3 {
            try host.send(.connectionOpened(Self.opened(n, conn: UInt64(n), ip: "7.7.7.7")))
        }
        let command = try host.nextCommand()
        guard case .disconnect(let disconnect)? = command.command else {
            Issue.record("expected a disconnect, got \(command)")
            return
        }
        #expect(disconnect.peerID == TestPeers.id(3))
        #expect(disconnect.reason == "colocation_limit")
    }

    @Test("A peer on another cluster is disconnected and forgotten after the metadata exchange")
    func clusterMismatch() throws {
        let peerd = try PeerdProcess(arguments: ["--cluster-id", "1", "--shard", "0"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(Self.hello(clusterID: 1))
        try host.send(.connectionOpened(Self.opened(5, conn: 1)))
        let request = try host.nextCommand()
        guard case .requestMetadata(let metadata)? = request.command else {
            Issue.record("expected a metadata request, got \(request)")
            return
        }
        #expect(metadata.peerID == TestPeers.id(5))
        try host.send(
            .commandResult(.init(commandID: request.commandID, outcome: .metadata(.init(clusterID: 2, shards: [0])))))
        let disconnect = try host.nextCommand()
        guard case .disconnect(let command)? = disconnect.command else {
            Issue.record("expected a disconnect, got \(disconnect)")
            return
        }
        #expect(command.peerID == TestPeers.id(5))
        #expect(command.reason == "metadata_cluster_mismatch")
        // The host carries out the disconnect; the record goes with the peer's last connection.
        try host.send(.connectionClosed(.init(connectionID: 1)))
        try waitFor(peerd) {
            (try? admin.call(PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(5)))
                as PeerManagerV1.Peer)
                == nil
        }
    }

    @Test("A host that detaches leaves no peer Connected; re-attaching reconciles from its snapshot")
    func detachAndReattach() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(Self.hello())
        for n in 1...3 { try host.send(.connectionOpened(Self.opened(n, conn: UInt64(n)))) }
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .connected == 3
        }

        #expect(try host.detach().code == .ok)
        let after: PeerManagerV1.Statistics = try admin.call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
        #expect(after.connected == 0)
        #expect(!after.hostAttached)
        #expect(!after.online)
        let peer: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
        #expect(peer.connectedness == .canConnect)

        let again = try ScriptedHost(socketPath: peerd.socketPath)
        try again.attach(Self.hello(connections: [Self.opened(2, conn: 12), Self.opened(4, conn: 14)]))
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .connected == 2
        }
        let reconnected: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(4)))
        #expect(reconnected.connectedness == .connected)
    }

    @Test("One host at a time: a second Attach is FAILED_PRECONDITION unless it takes over")
    func singleHost() throws {
        let peerd = try PeerdProcess()
        let first = try ScriptedHost(socketPath: peerd.socketPath)
        try first.attach(Self.hello(1))
        // Let the first hello land before the second arrives.
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .hostAttached
        }

        let second = try ScriptedHost(socketPath: peerd.socketPath)
        try second.attach(Self.hello(2))
        #expect(throws: ScriptedHostError.self) { try second.nextCommand() }

        let third = try ScriptedHost(socketPath: peerd.socketPath)
        try third.attach(Self.hello(3, takeOver: true))
        do {
            _ = try first.nextCommand()
            Issue.record("the replaced host's stream should end")
        } catch ScriptedHostError.streamEnded(let code, _) {
            #expect(code == .aborted)
        }
    }

    @Test("SIGTERM ends the host's Attach stream with UNAVAILABLE at once, without waiting out the grace period")
    func shutdownEndsAttach() throws {
        let peerd = try PeerdProcess()  // default grace: 5 s
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(Self.hello())
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .hostAttached
        }
        let started = Date()
        peerd.signal(SIGTERM)
        #expect(throws: ScriptedHostError.streamEnded(.unavailable, "peerd is shutting down")) {
            _ = try host.nextCommand()
        }
        #expect(peerd.stop() == 0)
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test("A unary-only host: ReportEvents opens a session, PollCommands long-polls its commands")
    func unaryHost() throws {
        let peerd = try PeerdProcess(arguments: ["--ip-colocation-limit", "1"])
        let host = try PeerManagerClient(socketPath: peerd.socketPath)
        let opened: PeerManagerV1.ReportEventsResponse = try host.call(
            PeerManagerV1.Host.reportEvents,
            PeerManagerV1.ReportEventsRequest(
                sessionID: 0,
                events: [
                    .init(event: .hello(Self.hello())),
                    .init(event: .connectionOpened(Self.opened(1, conn: 1, ip: "8.8.8.8"))),
                    .init(event: .connectionOpened(Self.opened(2, conn: 2, ip: "8.8.8.8"))),
                    .init(event: .streamOpened(.init(peerID: "not a peer id", protocol: "/x"))),
                ]))
        #expect(opened.sessionID > 0)
        #expect(opened.accepted == 2)
        #expect(opened.ignored == 1)
        let polled: PeerManagerV1.PollCommandsResponse = try host.call(
            PeerManagerV1.Host.pollCommands,
            PeerManagerV1.PollCommandsRequest(sessionID: opened.sessionID, waitMs: 5000))
        let command = try #require(polled.commands.first)
        guard case .disconnect(let disconnect)? = command.command else {
            Issue.record("expected a disconnect, got \(command)")
            return
        }
        #expect(disconnect.peerID == TestPeers.id(2))
        // A wrong session id is refused.
        #expect(throws: RPCError(code: .failedPrecondition, message: "host session 999 is not attached")) {
            let _: PeerManagerV1.PollCommandsResponse = try host.call(
                PeerManagerV1.Host.pollCommands, PeerManagerV1.PollCommandsRequest(sessionID: 999))
        }
    }

    @Test("Watch streams each decision with its reason, and peer events")
    func watch() throws {
        let peerd = try PeerdProcess()
        let watcher = try SocketClient(path: peerd.socketPath, receiveTimeout: .milliseconds(200))
        try watcher.request(
            1, PeerManagerV1.PeerManager.watch, payload: PeerManagerV1.WatchRequest().encoded(),
            flags: .remoteClosed)
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        // The watcher registers asynchronously: add peers, one at a time, until events arrive
        // (what was added before the registration is never seen).
        var events: [PeerManagerV1.WatchEvent] = []
        for n in 1...50 where events.count < 2 {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n))))
            while events.count < 2, let frame = try? watcher.readFrame() {
                #expect(frame.type == .data)
                events.append(try PeerManagerV1.WatchEvent(wire: frame.payload))
            }
        }
        try #require(events.count >= 2, "no Watch events after 50 peers were added")
        let decisions = events.compactMap { if case .decision(let decision)? = $0.event { decision } else { nil } }
        let added = events.compactMap { if case .peerEvent(let event)? = $0.event { event } else { nil } }
        #expect(decisions.contains { $0.reason == "peer_added" && !$0.detail.isEmpty && $0.peerIDs.count == 1 })
        #expect(added.allSatisfy { $0.kind == .added })
    }

    @Test("Selection over the socket: by protocol, by shard, and nothing for an invalid topic")
    func selection() throws {
        let peerd = try PeerdProcess(arguments: ["--cluster-id", "1", "--shard", "0"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let store = "/vac/waku/store-query/3.0.0"
        for n in 1...5 {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer,
                PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n, protocols: [store]))))
        }
        let any: PeerManagerV1.SelectPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.selectPeer, PeerManagerV1.SelectPeerRequest(protocol: store))
        #expect(any.peer?.protocols == [store])
        let none: PeerManagerV1.SelectPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.selectPeer,
            PeerManagerV1.SelectPeerRequest(protocol: store, pubsubTopic: "/waku/2/rs/x"))
        #expect(none.peer == nil)
        let onShard: PeerManagerV1.SelectPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.selectPeer, PeerManagerV1.SelectPeerRequest(protocol: store, shard: 0))
        #expect(onShard.peer == nil)  // no peer advertises a shard
        let three: PeerManagerV1.SelectPeersResponse = try admin.call(
            PeerManagerV1.PeerManager.selectPeers, PeerManagerV1.SelectPeersRequest(protocol: store, count: 3))
        #expect(Set(three.peers.map(\.peerID)).count == 3)
        let page: PeerManagerV1.ListPeersResponse = try admin.call(
            PeerManagerV1.PeerManager.listPeers,
            PeerManagerV1.ListPeersRequest(protocol: "/vac/waku/store", protocolPrefix: true, pageSize: 2))
        #expect(page.total == 5)
        #expect(page.peers.count == 2)
        let rest: PeerManagerV1.ListPeersResponse = try admin.call(
            "ListPeers",
            PeerManagerV1.ListPeersRequest(protocol: store, pageSize: 10, pageToken: page.nextPageToken))
        #expect(rest.peers.count == 3)
        #expect(rest.nextPageToken.isEmpty)
    }

    @Test("SelectPeer replies follow the chosen peer's changes (replies are cached per peer state)")
    func selectionFollowsChanges() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let store = "/vac/waku/store-query/3.0.0"
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer,
            PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(1, protocols: [store]))))
        func select() throws -> PeerManagerV1.Peer {
            let reply: PeerManagerV1.SelectPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.selectPeer, PeerManagerV1.SelectPeerRequest(protocol: store))
            return try #require(reply.peer)
        }
        #expect(try select().protectionTags.isEmpty)
        #expect(try select().protectionTags.isEmpty)

        let _: PeerManagerV1.ProtectResponse = try admin.call(
            PeerManagerV1.PeerManager.protect,
            PeerManagerV1.ProtectRequest(peerID: TestPeers.id(1), tag: "store-request"))
        #expect(try select().protectionTags == ["store-request"])

        // New addresses and protocols for the same peer replace the old ones in the reply.
        var updated = TestPeers.peer(1, protocols: [store, "/vac/waku/lightpush/3.0.0"])
        updated.addresses = ["/ip4/10.9.9.9/tcp/60001"]
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(updated)))
        let changed = try select()
        #expect(changed.addresses == updated.addresses)
        #expect(changed.protocols == [store, "/vac/waku/lightpush/3.0.0"])

        let _: PeerManagerV1.ProtectResponse = try admin.call(
            PeerManagerV1.PeerManager.unprotect,
            PeerManagerV1.ProtectRequest(peerID: TestPeers.id(1), tag: "store-request"))
        #expect(try select().protectionTags.isEmpty)
    }

    @Test("Bad input is INVALID_ARGUMENT naming the field, and changes nothing")
    func badInput() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let cases: [(String, any WireMessage, String)] = [
            ("AddPeer", PeerManagerV1.AddPeerRequest(source: .address("garbage")), "address"),
            ("AddPeer", PeerManagerV1.AddPeerRequest(source: .address("/ip4/1.2.3.4/tcp/1")), "address"),
            ("AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(.init(peerID: "xyz"))), "peer.peer_id"),
            ("GetPeer", PeerManagerV1.GetPeerRequest(peerID: ""), "peer_id"),
            ("SelectPeer", PeerManagerV1.SelectPeerRequest(protocol: ""), "protocol"),
            ("ListPeers", PeerManagerV1.ListPeersRequest(pageSize: 5000), "page_size"),
            ("Protect", PeerManagerV1.ProtectRequest(peerID: TestPeers.id(1), tag: ""), "tag"),
        ]
        for (method, request, field) in cases {
            do {
                let _: PeerManagerV1.AddPeerResponse = try admin.call(method, request)
                Issue.record("\(method) accepted bad input")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains(field), "\(error.message)")
            }
        }
        let stats: PeerManagerV1.Statistics = try admin.call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
        #expect(stats.storeSize == 0)
        // Connect needs a host.
        #expect(throws: RPCError.self) {
            let _: PeerManagerV1.ConnectResponse = try admin.call(
                PeerManagerV1.PeerManager.connect, PeerManagerV1.ConnectRequest(peers: [TestPeers.id(1)]))
        }
    }
}

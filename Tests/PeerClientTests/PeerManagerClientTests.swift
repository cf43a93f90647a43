import PeerClient
import PeerTestSupport
import PeerWire
import Testing

/// Every PeerManager and Host method through the typed stubs, against the real sidecar in-process.
@Suite("PeerClient: PeerManager and Host methods", .timeLimit(.minutes(1)))
struct PeerManagerClientTests {
    typealias V1 = PeerManagerV1

    @Test("GetInfo, GetStatistics and GetConfiguration describe the server")
    func describe() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let info = try await client.peerManager.getInfo()
                #expect(info.version == "test")
                #expect(info.services.contains(V1.PeerManager.serviceName))
                #expect(info.maxConcurrentStreams == UInt32(ClientConnection.defaultMaxConcurrentStreams))
                let statistics = try await client.peerManager.getStatistics()
                #expect(statistics.storeSize == 0)
                #expect(!statistics.hostAttached)
                let configuration = try await client.peerManager.getConfiguration()
                #expect(configuration.socketPath == sidecar.socketPath)
            }
        }
    }

    @Test("AddPeer, GetPeer, ListPeers, SelectPeer, SelectPeers and RemovePeer")
    func peers() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let peerManager = client.peerManager
                for n in 1...3 {
                    let added = try await peerManager.addPeer(.init(source: .peer(Fixtures.peer(n)), origin: .discv5))
                    #expect(added.peer?.peerID == Fixtures.peerID(n))
                }
                let byAddress = try await peerManager.addPeer(
                    .init(source: .address("\(Fixtures.address(4))/p2p/\(Fixtures.peerID(4))")))
                #expect(byAddress.peer?.addresses == [Fixtures.address(4)])

                let peer = try await peerManager.getPeer(.init(peerID: Fixtures.peerID(2)))
                #expect(peer.addresses == [Fixtures.address(2)])
                let list = try await peerManager.listPeers(.init(pageSize: 2))
                #expect(list.total == 4)
                #expect(list.peers.count == 2)
                #expect(!list.nextPageToken.isEmpty)
                let rest = try await peerManager.listPeers(.init(pageSize: 2, pageToken: list.nextPageToken))
                #expect(Set((list.peers + rest.peers).map(\.peerID)) == Set((1...4).map(Fixtures.peerID)))

                let selected = try await peerManager.selectPeer(.init(protocol: Fixtures.relay))
                #expect((1...3).map(Fixtures.peerID).contains(selected.peer?.peerID ?? ""))
                let none = try await peerManager.selectPeer(.init(protocol: Fixtures.store))
                #expect(none.peer == nil)
                let several = try await peerManager.selectPeers(.init(protocol: Fixtures.relay, count: 2))
                #expect(Set(several.peers.map(\.peerID)).count == 2)

                let removed = try await peerManager.removePeer(.init(peerID: Fixtures.peerID(1)))
                #expect(removed.removed)
                #expect(try await peerManager.listPeers().total == 3)
            }
        }
    }

    @Test("Service slots, CanBeConnected, Protect and Unprotect, ConnectedPeers, Reconnect")
    func administration() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let peerManager = client.peerManager
                let slotted = try await peerManager.addServicePeer(
                    .init(address: "\(Fixtures.address(5))/p2p/\(Fixtures.peerID(5))", protocol: Fixtures.store))
                #expect(slotted.peer?.peerID == Fixtures.peerID(5))
                let selected = try await peerManager.selectPeer(.init(protocol: Fixtures.store))
                #expect(selected.peer?.peerID == Fixtures.peerID(5))
                let unslotted = try await peerManager.removeServicePeer(
                    .init(peerID: Fixtures.peerID(5), protocol: Fixtures.store))
                #expect(unslotted.removed)

                let verdict = try await peerManager.canBeConnected(.init(peerID: Fixtures.peerID(5)))
                #expect(verdict.allowed)

                #expect(
                    try await peerManager.protect(.init(peerID: Fixtures.peerID(5), tag: "store-query")).isProtected)
                #expect(try await peerManager.getStatistics().protectedPeers == 1)
                #expect(
                    try await !peerManager.unprotect(.init(peerID: Fixtures.peerID(5), tag: "store-query")).isProtected)

                #expect(try await peerManager.connectedPeers().peers.isEmpty)
                // Reconnect dials through the host: without one it is refused.
                let noHost = await #expect(throws: PeerdClientError.self) {
                    try await peerManager.reconnect(.init(protocol: Fixtures.relay))
                }
                #expect(noHost?.code == .failedPrecondition)
            }
        }
    }

    @Test("A non-OK status is a PeerdClientError with peerd's code and message")
    func errors() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let unknown = await #expect(throws: PeerdClientError.self) {
                    try await client.peerManager.getPeer(.init(peerID: Fixtures.peerID(7)))
                }
                #expect(unknown?.code == .notFound)
                #expect(unknown?.message.isEmpty == false)

                let garbage = await #expect(throws: PeerdClientError.self) {
                    try await client.peerManager.addPeer(.init(source: .address("not a multiaddr")))
                }
                #expect(garbage?.code == .invalidArgument)

                _ = try await client.peerManager.addPeer(.init(source: .peer(Fixtures.peer(1))))
                let noHost = await #expect(throws: PeerdClientError.self) {
                    try await client.peerManager.connect(.init(peers: [Fixtures.peerID(1)]))
                }
                #expect(noHost?.code == .failedPrecondition)
                let notConnected = await #expect(throws: PeerdClientError.self) {
                    try await client.peerManager.disconnect(.init(peerID: Fixtures.peerID(1)))
                }
                #expect(notConnected?.code == .failedPrecondition)
            }
        }
    }

    @Test("Watch is an AsyncSequence of peerd's events")
    func watch() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let events = try await client.peerManager.watch(.init(decisions: true, peerEvents: true))
                // The Watch registers on the server asynchronously: add probe peers until the first
                // event shows up, then the next peer's events follow in the engine's order.
                let probing = Task {
                    for n in 100..<200 {
                        _ = try await client.peerManager.addPeer(.init(source: .peer(Fixtures.peer(n))))
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                defer { probing.cancel() }
                var added: [String] = []
                var decisions = 0
                for try await event in events {
                    switch event.event {
                    case .peerEvent(let peerEvent)? where peerEvent.kind == .added: added.append(peerEvent.peerID)
                    case .decision?: decisions += 1
                    default: break
                    }
                    if added.count == 2 { break }
                }
                #expect(decisions >= 1)
                #expect(added.allSatisfy { (100..<200).map(Fixtures.peerID).contains($0) })
            }
        }
    }

    @Test("Host's unary fallback: ReportEvents attaches with a hello, PollCommands answers")
    func unaryHost() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let hello = V1.HostEvent(event: .hello(.init(peerID: Fixtures.hostID, online: true)))
                let session = try await client.host.reportEvents(.init(events: [hello]))
                #expect(session.sessionID != 0)
                #expect(session.sessionTimeoutMs > 0)
                #expect(sidecar.hostAttached)
                let polled = try await client.host.pollCommands(.init(sessionID: session.sessionID, waitMs: 0))
                #expect(polled.commands.isEmpty)
            }
        }
    }
}

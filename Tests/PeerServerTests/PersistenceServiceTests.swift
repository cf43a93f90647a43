import Foundation
import PeerCore
import PeerIdentity
import PeerServer
import PeerStorage
import PeerTestSupport
import PeerWire
import Testing

/// The services with the peer store file on: what a client is told is stored, is in the file.
@Suite("Persistence in-process", .timeLimit(.minutes(1)))
struct PersistenceServiceTests {
    static let peerManager = InProcessServiceTests.peerManager

    /// A fresh store file in a directory of its own.
    static func storeFile() throws -> (path: String, directory: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "peerd-store-\(UUID().uuidString.prefix(8))"
        ).path
        return ("\(directory)/peers.db", directory)
    }

    /// The peers in the file now (a second connection, as a restarted peerd would read it).
    static func stored(_ path: String) throws -> [PeerID: PeerRecord] {
        let loaded = try PeerStoreFile.open(path: path).store.load(now: .seconds(1_700_000_000), expiry: .seconds(1e9))
        return Dictionary(uniqueKeysWithValues: loaded.snapshot.peers.map { ($0.id, $0) })
    }

    static func persistence(_ path: String) throws -> PersistenceConfiguration {
        PersistenceConfiguration(file: try PeerStoreFile.open(path: path).store)
    }

    @Test("AddPeer, AddServicePeer, RemoveServicePeer and RemovePeer are in the file when they reply")
    func acknowledgedChangesAreStored() async throws {
        let (path, directory) = try Self.storeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await InProcessSidecar.run(persistence: try Self.persistence(path)) { sidecar in
            try await onThread {
                let client = try SocketClient(path: sidecar.socketPath)
                let id = try PeerID(InProcessServiceTests.peerID(1))
                let added = try client.call(
                    1, Self.peerManager, "AddPeer",
                    payload: PeerManagerV1.AddPeerRequest(source: .peer(InProcessServiceTests.peer(1)), origin: .discv5)
                        .encoded())
                #expect(added.code == .ok)
                let record = try #require(try Self.stored(path)[id])
                #expect(record.addresses.map(\.description) == ["/ip4/10.0.0.1/tcp/60000"])
                #expect(record.protocols == [WakuCodec.relay])
                #expect(record.origin == .discv5)

                let slotted = try client.call(
                    3, Self.peerManager, "AddServicePeer",
                    payload: PeerManagerV1.AddServicePeerRequest(
                        address: "/ip4/10.0.0.2/tcp/60000/p2p/\(InProcessServiceTests.peerID(2))",
                        protocol: WakuCodec.store
                    ).encoded())
                #expect(slotted.code == .ok)
                let slots = try PeerStoreFile.open(path: path).store.load(
                    now: .seconds(1_700_000_000), expiry: .seconds(1e9)
                )
                .serviceSlots
                #expect(slots.map(\.protocolID) == [WakuCodec.store])
                #expect(slots.map(\.peer.description) == [InProcessServiceTests.peerID(2)])

                let unslotted = try client.call(
                    5, Self.peerManager, "RemoveServicePeer",
                    payload: PeerManagerV1.RemoveServicePeerRequest(
                        peerID: InProcessServiceTests.peerID(2), protocol: WakuCodec.store
                    ).encoded())
                #expect(unslotted.code == .ok)
                #expect(
                    try PeerStoreFile.open(path: path).store.load(now: .seconds(1_700_000_000), expiry: .seconds(1e9))
                        .serviceSlots.isEmpty)

                let removed = try client.call(
                    7, Self.peerManager, "RemovePeer",
                    payload: PeerManagerV1.RemovePeerRequest(peerID: InProcessServiceTests.peerID(1)).encoded())
                #expect(removed.code == .ok)
                #expect(try Self.stored(path)[id] == nil)
                #expect(try Self.stored(path).count == 1)
            }
        }
    }

    @Test("peers pruned to make room leave the file with the books")
    func prunedPeersDeleted() async throws {
        let (path, directory) = try Self.storeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await InProcessSidecar.run(
            configure: {
                $0.maxConnections = 14
                $0.peerStoreCapacity = 14
            }, persistence: try Self.persistence(path)
        ) { sidecar in
            try await onThread {
                let client = try SocketClient(path: sidecar.socketPath)
                for n in 1...20 {
                    let added = try client.call(
                        UInt32(2 * n - 1), Self.peerManager, "AddPeer",
                        payload: PeerManagerV1.AddPeerRequest(source: .peer(InProcessServiceTests.peer(n))).encoded())
                    #expect(added.code == .ok)
                }
                let listed = try client.call(
                    41, Self.peerManager, "ListPeers", payload: PeerManagerV1.ListPeersRequest().encoded())
                let inMemory = Set(try PeerManagerV1.ListPeersResponse(wire: listed.payload).peers.map(\.peerID))
                #expect(inMemory.count == 14)
                #expect(Set(try Self.stored(path).keys.map(\.description)) == inMemory)
            }
        }
    }

    @Test("a restarted sidecar serves the stored peers as Cache and redials relay peers after the backoff")
    func restartReconnectsRelayPeers() async throws {
        let (path, directory) = try Self.storeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await InProcessSidecar.run(persistence: try Self.persistence(path)) { sidecar in
            try await onThread {
                let client = try SocketClient(path: sidecar.socketPath)
                for n in 1...3 {
                    let added = try client.call(
                        UInt32(2 * n - 1), Self.peerManager, "AddPeer",
                        payload: PeerManagerV1.AddPeerRequest(source: .peer(InProcessServiceTests.peer(n))).encoded())
                    #expect(added.code == .ok)
                }
            }
        }
        try await InProcessSidecar.run(
            configure: { $0.reconnectBackoff = .milliseconds(300) }, persistence: try Self.persistence(path)
        ) { sidecar in
            try await onThread {
                let client = try SocketClient(path: sidecar.socketPath)
                let got = try client.call(
                    1, Self.peerManager, "GetPeer",
                    payload: PeerManagerV1.GetPeerRequest(peerID: InProcessServiceTests.peerID(2)).encoded())
                #expect(got.code == .ok)
                let peer = try PeerManagerV1.Peer(wire: got.payload)
                #expect(peer.origin == .cache)
                #expect(peer.addresses == ["/ip4/10.0.0.2/tcp/60000"])

                // A scripted host attaches: the three relay peers are dialled once the backoff ends.
                let host = try SocketClient(path: sidecar.socketPath)
                try InProcessServiceTests.attach(host)
                var dialled: Set<String> = []
                let deadline = ContinuousClock.now + .seconds(20)
                while dialled.count < 3, ContinuousClock.now < deadline {
                    let frame = try host.readFrame()
                    guard frame.type == .data else { continue }
                    let command = try PeerManagerV1.HostCommand(wire: frame.payload)
                    if case .dial(let dial) = command.command { dialled.insert(dial.peerID) }
                }
                #expect(dialled == Set((1...3).map(InProcessServiceTests.peerID)))
            }
        }
    }

    @Test("host churn is written behind: a connection's books reach the file without a client call")
    func hostChurnWrittenBehind() async throws {
        let (path, directory) = try Self.storeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await InProcessSidecar.run(persistence: try Self.persistence(path)) { sidecar in
            try await onThread {
                let host = try SocketClient(path: sidecar.socketPath)
                try InProcessServiceTests.attach(host)
                let peerID = InProcessServiceTests.peerID(5)
                let opened = PeerManagerV1.HostEvent(
                    event: .connectionOpened(
                        PeerManagerV1.ConnectionOpened(
                            connectionID: 1, peerID: peerID, direction: .inbound,
                            observedAddress: "/ip4/10.0.0.5/tcp/60000")))
                try host.send(Frame(streamID: 1, type: .data, payload: opened.encoded()))
                let id = try PeerID(peerID)
                let deadline = ContinuousClock.now + .seconds(10)
                while try Self.stored(path)[id]?.direction != .inbound {
                    guard ContinuousClock.now < deadline else { throw InProcessTestError.timedOut("write-behind") }
                    usleep(20_000)
                }
            }
        }
    }

    @Test("never-connected peers past the expiry leave the books and the file while running; a connected one stays")
    func expiryWhileRunning() async throws {
        let (path, directory) = try Self.storeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var persistence = try Self.persistence(path)
        persistence.expiry = .seconds(1)
        let reported = SharedCount()
        persistence.onExpired = { count in reported.add(count) }
        try await InProcessSidecar.run(configure: { $0.pruneInterval = .seconds(1) }, persistence: persistence) {
            sidecar in
            let writer = try #require(sidecar.sidecar.storeWriter)
            try await onThread {
                let client = try SocketClient(path: sidecar.socketPath)
                for n in 1...3 {
                    let added = try client.call(
                        UInt32(2 * n - 1), Self.peerManager, "AddPeer",
                        payload: PeerManagerV1.AddPeerRequest(source: .peer(InProcessServiceTests.peer(n))).encoded())
                    #expect(added.code == .ok)
                }
                // Peer 3 connects: it has been connected, so it never expires.
                let host = try SocketClient(path: sidecar.socketPath)
                try InProcessServiceTests.attach(host)
                let opened = PeerManagerV1.HostEvent(
                    event: .connectionOpened(
                        PeerManagerV1.ConnectionOpened(
                            connectionID: 1, peerID: InProcessServiceTests.peerID(3), direction: .outbound,
                            observedAddress: "/ip4/10.0.0.3/tcp/60000")))
                try host.send(Frame(streamID: 1, type: .data, payload: opened.encoded()))
                let kept = try PeerID(InProcessServiceTests.peerID(3))
                let deadline = ContinuousClock.now + .seconds(20)
                var stored = try Self.stored(path)
                while stored.count != 1 {
                    guard ContinuousClock.now < deadline else {
                        throw InProcessTestError.timedOut("expiry while running: \(stored.count) peers stored")
                    }
                    usleep(50_000)
                    stored = try Self.stored(path)
                }
                #expect(Set(stored.keys) == [kept])
                let listed = try client.call(
                    21, Self.peerManager, "ListPeers", payload: PeerManagerV1.ListPeersRequest().encoded())
                #expect(
                    try PeerManagerV1.ListPeersResponse(wire: listed.payload).peers.map(\.peerID) == [kept.description])
            }
            #expect(writer.expiredCount == 2)
            #expect(reported.count == 2)
        }
    }
}

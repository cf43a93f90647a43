import Foundation
import PeerTestSupport
import PeerWire
import Testing

/// Issue 8, findings 9 to 11 over the real socket: limits, capacity at insert, tags owned by connections.
@Suite("peerd store limits")
struct StoreLimitsSocketTests {
    static func addPeer(_ admin: PeerManagerClient, _ peer: PeerManagerV1.Peer) throws {
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(peer)))
    }

    static func status(_ body: () throws -> Void) -> (StatusCode, String)? {
        do {
            try body()
            return nil
        } catch let error as RPCError {
            return (error.code, error.message)
        } catch {
            return nil
        }
    }

    @Test("A client's tags are released when its connection closes; Protect of an unknown peer is NOT_FOUND")
    func tagsOwnedByConnection() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try Self.addPeer(admin, TestPeers.peer(1))
        try Self.addPeer(admin, TestPeers.peer(2))

        let unknown = Self.status {
            let _: PeerManagerV1.ProtectResponse = try admin.call(
                PeerManagerV1.PeerManager.protect, PeerManagerV1.ProtectRequest(peerID: TestPeers.id(99), tag: "store"))
        }
        #expect(unknown?.0 == .notFound)

        // The admin connection's own tag stays; the other client's goes with its connection.
        let _: PeerManagerV1.ProtectResponse = try admin.call(
            PeerManagerV1.PeerManager.protect, PeerManagerV1.ProtectRequest(peerID: TestPeers.id(2), tag: "filter"))
        let client = try PeerManagerClient(socketPath: peerd.socketPath)
        let protected: PeerManagerV1.ProtectResponse = try client.call(
            PeerManagerV1.PeerManager.protect, PeerManagerV1.ProtectRequest(peerID: TestPeers.id(1), tag: "store"))
        #expect(protected.isProtected)
        var peer: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
        #expect(peer.protectionTags == ["store"])
        client.client.close()
        try waitFor(peerd) {
            peer = try admin.call(
                PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
            return peer.protectionTags.isEmpty
        }
        let other: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(2)))
        #expect(other.protectionTags == ["filter"])
        let stats: PeerManagerV1.Statistics = try admin.call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
        #expect(stats.protectedPeers == 1)
    }

    @Test("Tag length and counts are bounded, each refusal naming its flag")
    func tagLimits() throws {
        let peerd = try PeerdProcess(arguments: ["--max-protection-tags-per-peer", "2"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try Self.addPeer(admin, TestPeers.peer(1))
        func protect(_ tag: String) -> (StatusCode, String)? {
            Self.status {
                let _: PeerManagerV1.ProtectResponse = try admin.call(
                    PeerManagerV1.PeerManager.protect, PeerManagerV1.ProtectRequest(peerID: TestPeers.id(1), tag: tag))
            }
        }
        // Over the tag limit (64 bytes) but under --max-field-bytes, which a 1 MiB tag meets first.
        let long = protect(String(repeating: "x", count: 100))
        #expect(long?.0 == .invalidArgument)
        #expect(long?.1.contains("--max-protection-tag-bytes") == true)
        #expect((long?.1.count ?? 0) < 200)
        #expect(protect("a") == nil)
        #expect(protect("b") == nil)
        let third = protect("c")
        #expect(third?.0 == .resourceExhausted)
        #expect(third?.1.contains("--max-protection-tags-per-peer") == true)
    }

    @Test("AddPeer over the address or protocol limit is INVALID_ARGUMENT naming the flag; nothing is stored")
    func perPeerLimits() throws {
        let peerd = try PeerdProcess(arguments: ["--max-addresses-per-peer", "4"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        var many = TestPeers.peer(1)
        many.addresses = (1...5).map { "/ip4/10.1.0.\($0)/tcp/60000" }
        let addresses = Self.status { try Self.addPeer(admin, many) }
        #expect(addresses?.0 == .invalidArgument)
        #expect(addresses?.1.contains("--max-addresses-per-peer") == true)
        let protocols = Self.status {
            try Self.addPeer(admin, TestPeers.peer(2, protocols: (0...128).map { "/p/\($0)" }))
        }
        #expect(protocols?.0 == .invalidArgument)
        #expect(protocols?.1.contains("--max-protocols-per-peer") == true)
        let list: PeerManagerV1.ListPeersResponse = try admin.call(
            PeerManagerV1.PeerManager.listPeers, PeerManagerV1.ListPeersRequest())
        #expect(list.total == 0)
    }

    @Test("The store capacity holds at every AddPeer, not at the next prune")
    func capacityAtInsert() throws {
        let peerd = try PeerdProcess(arguments: ["--max-connections", "14", "--peer-store-capacity", "14"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        for n in 1...60 {
            try Self.addPeer(admin, TestPeers.peer(n))
            let list: PeerManagerV1.ListPeersResponse = try admin.call(
                PeerManagerV1.PeerManager.listPeers, PeerManagerV1.ListPeersRequest())
            #expect(list.total <= 14)
        }
        let last: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(60)))
        #expect(last.peerID == TestPeers.id(60))
    }

    @Test("The host's hello and identify over the limits are trimmed to the first entries")
    func hostTrimmed() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        var hello = SidecarHostTests.hello(connections: [SidecarHostTests.opened(1, conn: 1)])
        hello.identified = [
            .init(
                peerID: TestPeers.id(1), protocols: (0..<1000).map { "/hello/\($0)" },
                listenAddresses: (0..<100).map { "/ip4/10.2.0.\($0)/tcp/60000" })
        ]
        try host.attach(hello)
        try host.send(.connectionOpened(SidecarHostTests.opened(2, conn: 2)))
        // 4000: over the per-peer limit, under --max-repeated-items (4096), which refuses the event.
        try host.send(.identified(.init(peerID: TestPeers.id(2), protocols: (0..<4000).map { "/identify/\($0)" })))
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        var second = PeerManagerV1.Peer()
        try waitFor(peerd) {
            // NOT_FOUND until the connection event is applied.
            second =
                (try? admin.call(
                    PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(2)))) ?? second
            return !second.protocols.isEmpty
        }
        // Counts and ends, not whole lists: a failure would print thousands of names.
        #expect(second.protocols.count == 128)
        #expect(second.protocols.first == "/identify/0" && second.protocols.last == "/identify/127")
        let first: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
        #expect(first.protocols.count == 128)
        #expect(first.addresses.count == 32)
        #expect(first.addresses.last == "/ip4/10.2.0.31/tcp/60000")
    }

    @Test("ListPeers pages are cut to fit the frame size, and paging still reaches every peer")
    func pagesFitFrames() throws {
        let peerd = try PeerdProcess(arguments: ["--max-frame-size", "4096"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let filler = String(repeating: "a", count: 40)
        for n in 1...12 {
            var peer = TestPeers.peer(n, protocols: (0..<16).map { "/\(filler)/\($0)" })
            peer.addresses = (1...8).map { "/dns4/\(filler)-\($0).example/tcp/60000" }
            try Self.addPeer(admin, peer)
        }
        var seen: [String] = []
        var token = ""
        var pages = 0
        repeat {
            let page: PeerManagerV1.ListPeersResponse = try admin.call(
                PeerManagerV1.PeerManager.listPeers, PeerManagerV1.ListPeersRequest(pageToken: token))
            #expect(!page.peers.isEmpty)
            seen += page.peers.map(\.peerID)
            token = page.nextPageToken
            pages += 1
        } while !token.isEmpty && pages < 20
        #expect(pages > 1)
        #expect(Set(seen).count == 12)
    }
}

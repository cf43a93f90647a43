import Foundation
import PeerIdentity
import PeerTestSupport
import PeerWire
import Testing

/// Peer ids and keys from clients and hosts, over the real socket: a megabyte peer id is refused
/// at once (it took 11 s on the event loop and froze every client), messages stay short, and keys
/// that do not belong to their peer are refused.
@Suite("peerd identity input")
struct PeerdIdentityInputTests {
    static let hugeID = String(repeating: "z", count: 1 << 20)

    /// Expects INVALID_ARGUMENT naming `field`, with a message that does not carry the input.
    static func expectInvalid(
        _ field: String, sourceLocation: SourceLocation = #_sourceLocation, _ call: () throws -> Void
    ) {
        #expect(sourceLocation: sourceLocation) {
            try call()
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .invalidArgument && error.message.contains(field) && error.message.utf8.count < 400
        }
    }

    @Test("a 1M-character peer id in any field is refused with a short message; Health answers meanwhile")
    func hugePeerIDs() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let health = try SocketClient(path: peerd.socketPath)
        let started = ContinuousClock.now
        Self.expectInvalid("peer_id") {
            let _: PeerManagerV1.Peer = try admin.call(
                PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: Self.hugeID))
        }
        Self.expectInvalid("peer_id") {
            let _: PeerManagerV1.RemovePeerResponse = try admin.call(
                PeerManagerV1.PeerManager.removePeer, PeerManagerV1.RemovePeerRequest(peerID: Self.hugeID))
        }
        Self.expectInvalid("page_token") {
            let _: PeerManagerV1.ListPeersResponse = try admin.call(
                PeerManagerV1.PeerManager.listPeers, PeerManagerV1.ListPeersRequest(pageToken: Self.hugeID))
        }
        Self.expectInvalid("peer_id") {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer,
                PeerManagerV1.AddPeerRequest(source: .peer(.init(peerID: Self.hugeID))))
        }
        Self.expectInvalid("address") {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer,
                PeerManagerV1.AddPeerRequest(source: .address("/ip4/1.2.3.4/tcp/1/p2p/" + Self.hugeID)))
        }
        Self.expectInvalid("peer_id") {
            let _: PeerManagerV1.CanBeConnectedResponse = try admin.call(
                PeerManagerV1.PeerManager.canBeConnected, PeerManagerV1.CanBeConnectedRequest(peerID: Self.hugeID))
        }
        #expect(try health.healthCheck(1) == .serving)
        // Not a timing assertion on the parse (the frames alone are 6 MB): a generous bound that
        // the 11 s per id of the quadratic decoder could never meet.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("AddPeer refuses a key of another peer, garbage, and a point off the curve; the store is unchanged")
    func addPeerKeys() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let edKey = [UInt8](repeating: 0x42, count: 32)
        let other = LibP2PPublicKey(type: .ed25519, data: [UInt8](repeating: 0x43, count: 32))
        var offCurve: [UInt8] = []
        for x in UInt8(1)...UInt8(255) {
            let point = [0x02] + [UInt8](repeating: 0, count: 31) + [x]
            if (try? PeerID(secp256k1PublicKey: point)) == nil {
                offCurve = point
                break
            }
        }
        let offCurveKey = LibP2PPublicKey(type: .secp256k1, data: offCurve)
        let cases: [(id: String, key: [UInt8])] = [
            (try PeerID(ed25519PublicKey: edKey).description, other.protobufEncoded),
            (try PeerID(ed25519PublicKey: edKey).description, [1, 2, 3, 4, 5]),
            (PeerID(publicKey: offCurveKey).description, offCurveKey.protobufEncoded),
        ]
        for (id, key) in cases {
            var peer = TestPeers.peer(1)
            peer.peerID = id
            peer.publicKey = key
            Self.expectInvalid("peer.public_key") {
                let _: PeerManagerV1.AddPeerResponse = try admin.call(
                    PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(peer)))
            }
            #expect {
                let _: PeerManagerV1.Peer = try admin.call(
                    PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: id))
            } throws: { ($0 as? RPCError)?.code == .notFound }
        }
        // The peer's own key is stored.
        var peer = TestPeers.peer(1)
        peer.peerID = try PeerID(ed25519PublicKey: edKey).description
        peer.publicKey = LibP2PPublicKey(type: .ed25519, data: edKey).protobufEncoded
        let added: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(peer)))
        #expect(added.peer?.publicKey == peer.publicKey)
    }

    @Test("an identify event with a key of another peer is ignored; the session goes on")
    func identifiedKeys() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try host.send(.connectionOpened(SidecarHostTests.opened(1, conn: 1)))
        let wrong = LibP2PPublicKey(type: .ed25519, data: [UInt8](repeating: 0x43, count: 32)).protobufEncoded
        try host.send(
            .identified(.init(peerID: TestPeers.id(1), protocols: ["/wrong/1"], agent: "bad", publicKey: wrong)))
        // Events apply in order: once peer 2 is known, the identify before it was dealt with.
        try host.send(.connectionOpened(SidecarHostTests.opened(2, conn: 2)))
        try waitFor(peerd) {
            let peer: PeerManagerV1.Peer? = try? admin.call(
                PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(2)))
            return peer != nil
        }
        let peer: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
        #expect(peer.publicKey.isEmpty)
        #expect(peer.agent != "bad")
        #expect(!peer.protocols.contains("/wrong/1"))
        // The peer's own key is taken.
        var key = [UInt8](repeating: 0, count: 32)
        key[0] = 0x42
        key[31] = 1
        let right = LibP2PPublicKey(type: .ed25519, data: key).protobufEncoded
        try host.send(.identified(.init(peerID: TestPeers.id(1), agent: "good", publicKey: right)))
        try waitFor(peerd) {
            let peer: PeerManagerV1.Peer? = try? admin.call(
                PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
            return peer?.agent == "good" && peer?.publicKey == right
        }
    }
}

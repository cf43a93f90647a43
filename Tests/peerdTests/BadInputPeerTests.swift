import Foundation
import NIOCore
import PeerIdentity
import PeerWire
import Testing

extension BadInputTests {
    @Test("PeerManager: peers", arguments: BadInputCase.peers)
    func peers(_ testCase: BadInputCase) throws {
        try #require(BadInputPeerd.current).run(testCase)
    }
}

extension BadInputCase {
    /// A base58 peer id of a million characters (quadratic to decode before the fix).
    static let hugePeerID = String(repeating: "z", count: 1_000_000)
    /// A peer that is not in the store, for requests that would add it if they were accepted.
    static let newPeer = TestPeers.id(100)
    static let address = "/ip4/10.1.2.3/tcp/60000"

    /// A secp256k1 key that is not on the curve (x = 5: 5^3 + 7 is no square mod p), and the
    /// peer id it would have.
    static let offCurveKey = LibP2PPublicKey(type: .secp256k1, data: [0x02] + [UInt8](repeating: 0, count: 31) + [5])
    static let offCurvePeerID = PeerID(publicKey: offCurveKey).description

    static func structured(_ peer: PeerManagerV1.Peer) -> PeerManagerV1.AddPeerRequest {
        PeerManagerV1.AddPeerRequest(source: .peer(peer), origin: .static)
    }

    static func newRecord(
        addresses: [String] = [address], protocols: [String] = [], publicKey: [UInt8] = [], agent: String = "",
        protocolVersion: String = "", enr: String = ""
    ) -> PeerManagerV1.Peer {
        PeerManagerV1.Peer(
            peerID: newPeer, addresses: addresses, protocols: protocols, publicKey: publicKey, agent: agent,
            protocolVersion: protocolVersion, enr: enr)
    }

    /// `NULBytes`-encoded PeerManager call (strings with a marker get a NUL on the wire).
    static func withNUL<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ name: String, expect: StatusCode = .invalidArgument,
        failsBeforeFix: String? = nil, host: Bool = false, request: @escaping @Sendable (BadInputSession) -> Request
    ) -> BadInputCase {
        call(
            "\(method.method): \(name)", service: method.service, method: method.method, expect: .status(expect),
            failsBeforeFix: failsBeforeFix, host: host
        ) { NULBytes.encoded(request($0)) }
    }

    static let nulCut = "finding 14: cut at the NUL and"
    static let slowID = "finding 6: quadratic peer-id decoding stalls the event loop (probe fails)"

    static let peers: [BadInputCase] = [
        // AddPeer, text form.
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "address of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.AddPeerRequest(source: .address("/ip4/1.2.3.4/tcp/1/p2p/" + hugePeerID))
        },
        withNUL(
            PeerManagerV1.PeerManager.addPeer, "address with a NUL after the peer id",
            failsBeforeFix: "\(nulCut) stored"
        ) { _ in
            PeerManagerV1.AddPeerRequest(source: .address(NULBytes.after("\(address)/p2p/\(newPeer)")))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "address that is no multiaddr", expect: .invalidArgument) { _ in
            PeerManagerV1.AddPeerRequest(source: .address("/ip4/999.1.1.1/tcp/1/p2p/\(newPeer)"))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "address without /p2p", expect: .invalidArgument) { _ in
            PeerManagerV1.AddPeerRequest(source: .address(address))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "ENR garbage", expect: .invalidArgument) { _ in
            PeerManagerV1.AddPeerRequest(source: .address("enr:-garbage!!"))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "ENR of 1M characters", expect: .invalidArgument) { _ in
            PeerManagerV1.AddPeerRequest(source: .address("enr:-" + String(repeating: "A", count: 1_000_000)))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "no source", expect: .invalidArgument) { _ in
            PeerManagerV1.AddPeerRequest()
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "origin 99", expect: .invalidArgument) { _ in
            PeerManagerV1.AddPeerRequest(source: .peer(newRecord()), origin: .init(rawValue: 99))
        },
        peerManagerRaw(PeerManagerV1.PeerManager.addPeer, "a truncated Peer message", expect: .internal) { _ in
            RawProtobuf { $0.bytes(2, [0x0a, 0x30] + Array(newPeer.utf8.prefix(10))) }
        },
        // AddPeer, structured: every field of Peer.
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "peer.peer_id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            structured(PeerManagerV1.Peer(peerID: hugePeerID, addresses: [address]))
        },
        withNUL(PeerManagerV1.PeerManager.addPeer, "peer.peer_id with a NUL", failsBeforeFix: "\(nulCut) stored") { _ in
            structured(PeerManagerV1.Peer(peerID: NULBytes.after(newPeer), addresses: [address]))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "peer.peer_id empty", expect: .invalidArgument) { _ in
            structured(PeerManagerV1.Peer(peerID: "", addresses: [address]))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "165,000 addresses", expect: .invalidArgument,
            failsBeforeFix: "finding 9: accepted (about 42 MB of RSS)"
        ) { _ in
            structured(newRecord(addresses: [String](repeating: "/ip4/1.2.3.4/tcp/1", count: 165_000)))
        },
        withNUL(PeerManagerV1.PeerManager.addPeer, "an address with a NUL", failsBeforeFix: "\(nulCut) stored") { _ in
            structured(newRecord(addresses: [NULBytes.after(address)]))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "an address that is garbage", expect: .invalidArgument) { _ in
            structured(newRecord(addresses: ["not a multiaddr"]))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "an address of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field (--max-field-bytes)"
        ) { _ in
            structured(newRecord(addresses: ["/dns4/" + String(repeating: "a", count: 1 << 20) + "/tcp/1"]))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "100,000 protocols", expect: .invalidArgument,
            failsBeforeFix: "finding 9: accepted"
        ) { _ in
            structured(newRecord(protocols: (0..<100_000).map { "/p/\($0)" }))
        },
        withNUL(PeerManagerV1.PeerManager.addPeer, "a protocol with a NUL", failsBeforeFix: "\(nulCut) stored") { _ in
            structured(newRecord(protocols: [NULBytes.after("/vac/waku/relay/2.0.0")]))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "a protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field"
        ) { _ in
            structured(newRecord(protocols: [mebibyte]))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "a garbage public key", expect: .invalidArgument,
            failsBeforeFix: "finding 15: stored"
        ) { _ in
            structured(newRecord(publicKey: [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "a secp256k1 key off the curve (with its own peer id)",
            expect: .invalidArgument,
            failsBeforeFix: "finding 15: stored"
        ) { _ in
            structured(
                PeerManagerV1.Peer(
                    peerID: offCurvePeerID, addresses: [address], publicKey: offCurveKey.protobufEncoded))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "a valid key of another peer", expect: .invalidArgument,
            failsBeforeFix: "finding 15: stored"
        ) { _ in
            let other = try! PeerID(TestPeers.id(101)).publicKey!.protobufEncoded
            return structured(newRecord(publicKey: other))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "a public key of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "finding 15: stored"
        ) { _ in
            structured(newRecord(publicKey: [UInt8](repeating: 7, count: 1 << 20)))
        },
        peerManager(
            PeerManagerV1.PeerManager.addPeer, "an agent of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field"
        ) { _ in
            structured(newRecord(agent: mebibyte))
        },
        withNUL(PeerManagerV1.PeerManager.addPeer, "an agent with a NUL", failsBeforeFix: "\(nulCut) stored") { _ in
            structured(newRecord(agent: NULBytes.after("nwaku")))
        },
        withNUL(PeerManagerV1.PeerManager.addPeer, "a protocol_version with a NUL", failsBeforeFix: "\(nulCut) stored")
        { _ in
            structured(newRecord(protocolVersion: NULBytes.after("1.0")))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "peer.enr garbage", expect: .invalidArgument) { _ in
            structured(newRecord(enr: "enr:-not-base64!"))
        },
        peerManager(PeerManagerV1.PeerManager.addPeer, "peer.enr of 1M characters", expect: .invalidArgument) { _ in
            structured(newRecord(enr: "enr:-" + String(repeating: "B", count: 1_000_000)))
        },
        // RemovePeer.
        peerManager(
            PeerManagerV1.PeerManager.removePeer, "peer_id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.RemovePeerRequest(peerID: hugePeerID)
        },
        withNUL(
            PeerManagerV1.PeerManager.removePeer, "a known peer id, a NUL and junk",
            failsBeforeFix: "\(nulCut) removed the known peer"
        ) {
            PeerManagerV1.RemovePeerRequest(peerID: NULBytes.after($0.known))
        },
        peerManager(PeerManagerV1.PeerManager.removePeer, "peer_id garbage", expect: .invalidArgument) { _ in
            PeerManagerV1.RemovePeerRequest(peerID: "not-a-peer-id")
        },
        peerManager(PeerManagerV1.PeerManager.removePeer, "peer_id empty", expect: .invalidArgument) { _ in
            PeerManagerV1.RemovePeerRequest(peerID: "")
        },
        // GetPeer.
        peerManager(
            PeerManagerV1.PeerManager.getPeer, "peer_id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.GetPeerRequest(peerID: hugePeerID)
        },
        withNUL(
            PeerManagerV1.PeerManager.getPeer, "a known peer id, a NUL and junk",
            failsBeforeFix: "\(nulCut) answered OK"
        ) {
            PeerManagerV1.GetPeerRequest(peerID: NULBytes.after($0.known))
        },
        peerManager(PeerManagerV1.PeerManager.getPeer, "an unknown peer", expect: .notFound) {
            PeerManagerV1.GetPeerRequest(peerID: $0.unknown)
        },
        // ListPeers: every field.
        peerManager(PeerManagerV1.PeerManager.listPeers, "page_token garbage", expect: .invalidArgument) { _ in
            PeerManagerV1.ListPeersRequest(pageToken: "garbage!")
        },
        peerManager(
            PeerManagerV1.PeerManager.listPeers, "page_token of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.ListPeersRequest(pageToken: hugePeerID)
        },
        withNUL(PeerManagerV1.PeerManager.listPeers, "page_token with a NUL", failsBeforeFix: "\(nulCut) answered OK") {
            PeerManagerV1.ListPeersRequest(pageToken: NULBytes.after($0.known))
        },
        peerManager(PeerManagerV1.PeerManager.listPeers, "page_size 1001", expect: .invalidArgument) { _ in
            PeerManagerV1.ListPeersRequest(pageSize: 1001)
        },
        peerManager(PeerManagerV1.PeerManager.listPeers, "page_size UInt32.max", expect: .invalidArgument) { _ in
            PeerManagerV1.ListPeersRequest(pageSize: .max)
        },
        withNUL(PeerManagerV1.PeerManager.listPeers, "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK") {
            _ in
            PeerManagerV1.ListPeersRequest(protocol: NULBytes.after("/vac/waku/relay/2.0.0"))
        },
        peerManager(
            PeerManagerV1.PeerManager.listPeers, "protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field"
        ) { _ in PeerManagerV1.ListPeersRequest(protocol: mebibyte) },
        peerManager(PeerManagerV1.PeerManager.listPeers, "connectedness 99", expect: .invalidArgument) { _ in
            PeerManagerV1.ListPeersRequest(connectedness: .init(rawValue: 99))
        },
        peerManager(
            PeerManagerV1.PeerManager.listPeers, "direction 99", expect: .invalidArgument,
            failsBeforeFix: "out-of-range direction is read as unknown (not in issue 8's list; same rule as origin)"
        ) { _ in PeerManagerV1.ListPeersRequest(direction: .init(rawValue: 99)) },
        peerManager(PeerManagerV1.PeerManager.listPeers, "origin 99", expect: .invalidArgument) { _ in
            PeerManagerV1.ListPeersRequest(origin: .init(rawValue: 99))
        },
        peerManager(PeerManagerV1.PeerManager.listPeers, "cluster_id 70000", expect: .invalidArgument) { _ in
            PeerManagerV1.ListPeersRequest(clusterID: 70_000)
        },
        peerManager(PeerManagerV1.PeerManager.listPeers, "shard 70000 in cluster 1", expect: .invalidArgument) { _ in
            PeerManagerV1.ListPeersRequest(clusterID: 1, shard: 70_000)
        },
        // SelectPeer and SelectPeers.
        peerManager(PeerManagerV1.PeerManager.selectPeer, "empty protocol", expect: .invalidArgument) { _ in
            PeerManagerV1.SelectPeerRequest()
        },
        withNUL(PeerManagerV1.PeerManager.selectPeer, "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK") {
            _ in
            PeerManagerV1.SelectPeerRequest(protocol: NULBytes.after("/vac/waku/relay/2.0.0"))
        },
        peerManager(
            PeerManagerV1.PeerManager.selectPeer, "protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field"
        ) { _ in PeerManagerV1.SelectPeerRequest(protocol: mebibyte) },
        peerManager(PeerManagerV1.PeerManager.selectPeer, "shard 70000 in cluster 1", expect: .invalidArgument) { _ in
            PeerManagerV1.SelectPeerRequest(protocol: "/vac/waku/relay/2.0.0", shard: 70_000, clusterID: 1)
        },
        peerManager(PeerManagerV1.PeerManager.selectPeer, "cluster_id UInt32.max", expect: .invalidArgument) { _ in
            PeerManagerV1.SelectPeerRequest(protocol: "/vac/waku/relay/2.0.0", shard: 0, clusterID: .max)
        },
        peerManager(
            PeerManagerV1.PeerManager.selectPeer, "an invalid pubsub topic (documented: selects nothing)", expect: .ok
        ) { _ in
            PeerManagerV1.SelectPeerRequest(protocol: "/vac/waku/relay/2.0.0", pubsubTopic: "/waku/2/rs/x/y")
        },
        withNUL(
            PeerManagerV1.PeerManager.selectPeer, "pubsub topic with a NUL", failsBeforeFix: "\(nulCut) answered OK"
        ) { _ in
            PeerManagerV1.SelectPeerRequest(
                protocol: "/vac/waku/relay/2.0.0", pubsubTopic: NULBytes.after("/waku/2/rs/1/0"))
        },
        peerManager(PeerManagerV1.PeerManager.selectPeers, "count UInt32.max (all)", expect: .ok) { _ in
            PeerManagerV1.SelectPeersRequest(protocol: "/vac/waku/relay/2.0.0", count: .max)
        },
        withNUL(PeerManagerV1.PeerManager.selectPeers, "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK") {
            _ in
            PeerManagerV1.SelectPeersRequest(protocol: NULBytes.after("/vac/waku/relay/2.0.0"))
        },
        // AddServicePeer and RemoveServicePeer.
        peerManager(PeerManagerV1.PeerManager.addServicePeer, "address garbage", expect: .invalidArgument) { _ in
            PeerManagerV1.AddServicePeerRequest(address: "garbage", protocol: "/vac/waku/store/2.0.0")
        },
        withNUL(PeerManagerV1.PeerManager.addServicePeer, "address with a NUL", failsBeforeFix: "\(nulCut) stored") {
            _ in
            PeerManagerV1.AddServicePeerRequest(
                address: NULBytes.after("\(address)/p2p/\(newPeer)"), protocol: "/vac/waku/store/2.0.0")
        },
        peerManager(
            PeerManagerV1.PeerManager.addServicePeer, "address of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.AddServicePeerRequest(
                address: "\(address)/p2p/\(hugePeerID)", protocol: "/vac/waku/store/2.0.0")
        },
        peerManager(PeerManagerV1.PeerManager.addServicePeer, "empty protocol", expect: .invalidArgument) { _ in
            PeerManagerV1.AddServicePeerRequest(address: "\(address)/p2p/\(newPeer)")
        },
        peerManager(
            PeerManagerV1.PeerManager.addServicePeer, "the relay protocol (documented refusal)",
            expect: .invalidArgument
        ) { _ in
            PeerManagerV1.AddServicePeerRequest(address: "\(address)/p2p/\(newPeer)", protocol: "/vac/waku/relay/2.0.0")
        },
        withNUL(PeerManagerV1.PeerManager.addServicePeer, "protocol with a NUL", failsBeforeFix: "\(nulCut) stored") {
            _ in
            PeerManagerV1.AddServicePeerRequest(
                address: "\(address)/p2p/\(newPeer)", protocol: NULBytes.after("/vac/waku/store/2.0.0"))
        },
        peerManager(
            PeerManagerV1.PeerManager.addServicePeer, "protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field: stored"
        ) { _ in PeerManagerV1.AddServicePeerRequest(address: "\(address)/p2p/\(newPeer)", protocol: mebibyte) },
        withNUL(
            PeerManagerV1.PeerManager.removeServicePeer, "peer id with a NUL", failsBeforeFix: "\(nulCut) answered OK"
        ) {
            PeerManagerV1.RemoveServicePeerRequest(peerID: NULBytes.after($0.known), protocol: "/x")
        },
        withNUL(
            PeerManagerV1.PeerManager.removeServicePeer, "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK"
        ) {
            PeerManagerV1.RemoveServicePeerRequest(peerID: $0.known, protocol: NULBytes.after("/x"))
        },
        peerManager(
            PeerManagerV1.PeerManager.removeServicePeer, "peer_id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in PeerManagerV1.RemoveServicePeerRequest(peerID: hugePeerID, protocol: "/x") },
    ]
}

import Foundation
import NIOCore
import PeerWire
import Testing

extension BadInputTests {
    @Test("PeerManager: connections and protection", arguments: BadInputCase.connections)
    func connections(_ testCase: BadInputCase) throws {
        try #require(BadInputPeerd.current).run(testCase)
    }
}

extension BadInputCase {
    static let connections: [BadInputCase] = [
        // ConnectedPeers.
        withNUL("ConnectedPeers", "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK") { _ in
            PeerManagerV1.ConnectedPeersRequest(protocol: NULBytes.after("/vac/waku/relay/2.0.0"))
        },
        peerManager(
            "ConnectedPeers", "protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field"
        ) { _ in PeerManagerV1.ConnectedPeersRequest(protocol: mebibyte) },
        // Connect: with a host attached, so that the request itself is what gets refused.
        peerManager(
            "Connect", "timeout_ms UInt64.max", expect: .invalidArgument,
            failsBeforeFix: "finding 2: Int64(timeout_ms) traps (peerd dies)", host: true
        ) { PeerManagerV1.ConnectRequest(peers: [$0.known], timeoutMs: .max) },
        peerManager(
            "Connect", "timeout_ms 2^63", expect: .invalidArgument,
            failsBeforeFix: "finding 2: Int64(timeout_ms) traps (peerd dies)", host: true
        ) { PeerManagerV1.ConnectRequest(peers: [$0.known], timeoutMs: 1 << 63) },
        peerManager("Connect", "no peers", expect: .invalidArgument, host: true) { _ in
            PeerManagerV1.ConnectRequest(peers: [])
        },
        peerManager(
            "Connect", "a peer id of 1M characters", expect: .invalidArgument, failsBeforeFix: slowID, host: true
        ) {
            _ in PeerManagerV1.ConnectRequest(peers: [hugePeerID])
        },
        withNUL("Connect", "a known peer id with a NUL", failsBeforeFix: "\(nulCut) dialled", host: true) {
            PeerManagerV1.ConnectRequest(peers: [NULBytes.after($0.known)], timeoutMs: 100)
        },
        peerManager("Connect", "a multiaddr without /p2p", expect: .invalidArgument, host: true) { _ in
            PeerManagerV1.ConnectRequest(peers: [address])
        },
        peerManager("Connect", "ENR garbage", expect: .invalidArgument, host: true) { _ in
            PeerManagerV1.ConnectRequest(peers: ["enr:-garbage!!"])
        },
        peerManager("Connect", "garbage as a peer", expect: .invalidArgument, host: true) { _ in
            PeerManagerV1.ConnectRequest(peers: ["garbage"])
        },
        // Disconnect.
        peerManager("Disconnect", "peer_id of 1M characters", expect: .invalidArgument, failsBeforeFix: slowID) { _ in
            PeerManagerV1.DisconnectRequest(peerID: hugePeerID)
        },
        withNUL("Disconnect", "a known peer id with a NUL", failsBeforeFix: "\(nulCut) refused for another reason") {
            PeerManagerV1.DisconnectRequest(peerID: NULBytes.after($0.known))
        },
        peerManager("Disconnect", "peer_id garbage", expect: .invalidArgument) { _ in
            PeerManagerV1.DisconnectRequest(peerID: "garbage")
        },
        peerManager("Disconnect", "a known peer that is not connected", expect: .failedPrecondition, host: true) {
            PeerManagerV1.DisconnectRequest(peerID: $0.known)
        },
        // Reconnect.
        withNUL("Reconnect", "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK", host: true) { _ in
            PeerManagerV1.ReconnectRequest(protocol: NULBytes.after("/vac/waku/relay/2.0.0"))
        },
        peerManager(
            "Reconnect", "protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field",
            host: true
        ) { _ in PeerManagerV1.ReconnectRequest(protocol: mebibyte) },
        // CanBeConnected.
        peerManager("CanBeConnected", "peer_id of 1M characters", expect: .invalidArgument, failsBeforeFix: slowID) {
            _ in PeerManagerV1.CanBeConnectedRequest(peerID: hugePeerID)
        },
        withNUL("CanBeConnected", "a known peer id with a NUL", failsBeforeFix: "\(nulCut) answered OK") {
            PeerManagerV1.CanBeConnectedRequest(peerID: NULBytes.after($0.known))
        },
        peerManager("CanBeConnected", "peer_id empty", expect: .invalidArgument) { _ in
            PeerManagerV1.CanBeConnectedRequest(peerID: "")
        },
        // Protect and Unprotect.
        peerManager("Protect", "an unknown peer", expect: .notFound, failsBeforeFix: "finding 11: protected") {
            PeerManagerV1.ProtectRequest(peerID: $0.unknown, tag: "store-request")
        },
        peerManager(
            "Protect", "a tag of 1 MiB", expect: .invalidArgument, failsBeforeFix: "finding 11: stored (1 MiB per tag)"
        ) { PeerManagerV1.ProtectRequest(peerID: $0.known, tag: mebibyte) },
        withNUL("Protect", "a tag with a NUL", failsBeforeFix: "\(nulCut) protected") {
            PeerManagerV1.ProtectRequest(peerID: $0.known, tag: NULBytes.after("store"))
        },
        withNUL("Protect", "a known peer id with a NUL", failsBeforeFix: "\(nulCut) protected the known peer") {
            PeerManagerV1.ProtectRequest(peerID: NULBytes.after($0.known), tag: "store")
        },
        peerManager("Protect", "an empty tag", expect: .invalidArgument) {
            PeerManagerV1.ProtectRequest(peerID: $0.known, tag: "")
        },
        peerManager("Protect", "peer_id of 1M characters", expect: .invalidArgument, failsBeforeFix: slowID) { _ in
            PeerManagerV1.ProtectRequest(peerID: hugePeerID, tag: "store")
        },
        peerManager(
            "Unprotect", "a tag of 1 MiB", expect: .invalidArgument, failsBeforeFix: "no byte limit per string field"
        ) { PeerManagerV1.ProtectRequest(peerID: $0.known, tag: mebibyte) },
        withNUL("Unprotect", "a tag with a NUL", failsBeforeFix: "\(nulCut) answered OK") {
            PeerManagerV1.ProtectRequest(peerID: $0.known, tag: NULBytes.after("store"))
        },
    ]
}

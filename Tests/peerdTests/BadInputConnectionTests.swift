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
        withNUL(
            PeerManagerV1.PeerManager.connectedPeers, "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK"
        ) { _ in
            PeerManagerV1.ConnectedPeersRequest(protocol: NULBytes.after("/vac/waku/relay/2.0.0"))
        },
        peerManager(
            PeerManagerV1.PeerManager.connectedPeers, "protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field"
        ) { _ in PeerManagerV1.ConnectedPeersRequest(protocol: mebibyte) },
        // Connect: with a host attached, so that the request itself is what gets refused.
        peerManager(
            PeerManagerV1.PeerManager.connect, "timeout_ms UInt64.max", expect: .invalidArgument,
            failsBeforeFix: "finding 2: Int64(timeout_ms) traps (peerd dies)", host: true
        ) { PeerManagerV1.ConnectRequest(peers: [$0.known], timeoutMs: .max) },
        peerManager(
            PeerManagerV1.PeerManager.connect, "timeout_ms 2^63", expect: .invalidArgument,
            failsBeforeFix: "finding 2: Int64(timeout_ms) traps (peerd dies)", host: true
        ) { PeerManagerV1.ConnectRequest(peers: [$0.known], timeoutMs: 1 << 63) },
        peerManager(PeerManagerV1.PeerManager.connect, "no peers", expect: .invalidArgument, host: true) { _ in
            PeerManagerV1.ConnectRequest(peers: [])
        },
        peerManager(
            PeerManagerV1.PeerManager.connect, "a peer id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID, host: true
        ) {
            _ in PeerManagerV1.ConnectRequest(peers: [hugePeerID])
        },
        withNUL(
            PeerManagerV1.PeerManager.connect, "a known peer id with a NUL", failsBeforeFix: "\(nulCut) dialled",
            host: true
        ) {
            PeerManagerV1.ConnectRequest(peers: [NULBytes.after($0.known)], timeoutMs: 100)
        },
        peerManager(PeerManagerV1.PeerManager.connect, "a multiaddr without /p2p", expect: .invalidArgument, host: true)
        { _ in
            PeerManagerV1.ConnectRequest(peers: [address])
        },
        peerManager(PeerManagerV1.PeerManager.connect, "ENR garbage", expect: .invalidArgument, host: true) { _ in
            PeerManagerV1.ConnectRequest(peers: ["enr:-garbage!!"])
        },
        peerManager(PeerManagerV1.PeerManager.connect, "garbage as a peer", expect: .invalidArgument, host: true) { _ in
            PeerManagerV1.ConnectRequest(peers: ["garbage"])
        },
        // Disconnect.
        peerManager(
            PeerManagerV1.PeerManager.disconnect, "peer_id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.DisconnectRequest(peerID: hugePeerID)
        },
        withNUL(
            PeerManagerV1.PeerManager.disconnect, "a known peer id with a NUL",
            failsBeforeFix: "\(nulCut) refused for another reason"
        ) {
            PeerManagerV1.DisconnectRequest(peerID: NULBytes.after($0.known))
        },
        peerManager(PeerManagerV1.PeerManager.disconnect, "peer_id garbage", expect: .invalidArgument) { _ in
            PeerManagerV1.DisconnectRequest(peerID: "garbage")
        },
        peerManager(
            PeerManagerV1.PeerManager.disconnect, "a known peer that is not connected", expect: .failedPrecondition,
            host: true
        ) {
            PeerManagerV1.DisconnectRequest(peerID: $0.known)
        },
        // Reconnect.
        withNUL(
            PeerManagerV1.PeerManager.reconnect, "protocol with a NUL", failsBeforeFix: "\(nulCut) answered OK",
            host: true
        ) { _ in
            PeerManagerV1.ReconnectRequest(protocol: NULBytes.after("/vac/waku/relay/2.0.0"))
        },
        peerManager(
            PeerManagerV1.PeerManager.reconnect, "protocol of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field",
            host: true
        ) { _ in PeerManagerV1.ReconnectRequest(protocol: mebibyte) },
        // CanBeConnected.
        peerManager(
            PeerManagerV1.PeerManager.canBeConnected, "peer_id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) {
            _ in PeerManagerV1.CanBeConnectedRequest(peerID: hugePeerID)
        },
        withNUL(
            PeerManagerV1.PeerManager.canBeConnected, "a known peer id with a NUL",
            failsBeforeFix: "\(nulCut) answered OK"
        ) {
            PeerManagerV1.CanBeConnectedRequest(peerID: NULBytes.after($0.known))
        },
        peerManager(PeerManagerV1.PeerManager.canBeConnected, "peer_id empty", expect: .invalidArgument) { _ in
            PeerManagerV1.CanBeConnectedRequest(peerID: "")
        },
        // Protect and Unprotect.
        peerManager(
            PeerManagerV1.PeerManager.protect, "an unknown peer", expect: .notFound,
            failsBeforeFix: "finding 11: protected"
        ) {
            PeerManagerV1.ProtectRequest(peerID: $0.unknown, tag: "store-request")
        },
        peerManager(
            PeerManagerV1.PeerManager.protect, "a tag of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "finding 11: stored (1 MiB per tag)"
        ) { PeerManagerV1.ProtectRequest(peerID: $0.known, tag: mebibyte) },
        withNUL(PeerManagerV1.PeerManager.protect, "a tag with a NUL", failsBeforeFix: "\(nulCut) protected") {
            PeerManagerV1.ProtectRequest(peerID: $0.known, tag: NULBytes.after("store"))
        },
        withNUL(
            PeerManagerV1.PeerManager.protect, "a known peer id with a NUL",
            failsBeforeFix: "\(nulCut) protected the known peer"
        ) {
            PeerManagerV1.ProtectRequest(peerID: NULBytes.after($0.known), tag: "store")
        },
        peerManager(PeerManagerV1.PeerManager.protect, "an empty tag", expect: .invalidArgument) {
            PeerManagerV1.ProtectRequest(peerID: $0.known, tag: "")
        },
        peerManager(
            PeerManagerV1.PeerManager.protect, "peer_id of 1M characters", expect: .invalidArgument,
            failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.ProtectRequest(peerID: hugePeerID, tag: "store")
        },
        peerManager(
            PeerManagerV1.PeerManager.unprotect, "a tag of 1 MiB", expect: .invalidArgument,
            failsBeforeFix: "no byte limit per string field"
        ) { PeerManagerV1.ProtectRequest(peerID: $0.known, tag: mebibyte) },
        withNUL(PeerManagerV1.PeerManager.unprotect, "a tag with a NUL", failsBeforeFix: "\(nulCut) answered OK") {
            PeerManagerV1.ProtectRequest(peerID: $0.known, tag: NULBytes.after("store"))
        },
    ]
}

import PeerCore
import PeerIdentity
import PeerWire
import Testing

@testable import PeerServer

/// The one mapping from the peer manager's refusals to gRPC statuses, row by row: the code a
/// client sees and the message it reads.
@Suite("PeerManagerError -> status")
struct PeerManagerErrorStatusTests {
    static let peer = try! PeerID(ed25519PublicKey: [UInt8](repeating: 3, count: 32))

    static let rows: [(PeerManagerError, StatusCode, String)] = [
        (.invalid(field: "peers[0]", reason: "bad multiaddr"), .invalidArgument, "peers[0]: bad multiaddr"),
        (.empty(field: "protocol"), .invalidArgument, "protocol is empty"),
        (
            .badRequest("page_size 5000 exceeds the maximum of 1000"), .invalidArgument,
            "page_size 5000 exceeds the maximum of 1000"
        ),
        (.notFound(peer), .notFound, "peer \(peer) is not in the store"),
        (
            .notFound(peer, hint: "add it before protecting it"), .notFound,
            "peer \(peer) is not in the store: add it before protecting it"
        ),
        (.notConnected(peer), .failedPrecondition, "peer \(peer) is not connected"),
        (.isSelf(peer), .failedPrecondition, "\(peer) is the host itself"),
        (.noHost(action: "dial"), .failedPrecondition, "no host attached: peerd cannot dial without one"),
        (
            .hostBusy(session: 4), .failedPrecondition,
            "a host is already attached (session 4); set take_over to replace it"
        ),
        (
            .clusterMismatch(host: 2, configured: 1), .failedPrecondition,
            "host is on cluster 2 but peerd is configured for cluster 1"
        ),
        (
            .clusterMismatch(host: nil, configured: 1), .failedPrecondition,
            "host is on cluster none but peerd is configured for cluster 1"
        ),
        (.helloNotFirst, .failedPrecondition, "hello is only valid as the first event of a session"),
        (.sessionNotAttached(7), .failedPrecondition, "host session 7 is not attached"),
        (.sessionDetached(7), .failedPrecondition, "host session 7 is no longer attached"),
        (.sessionEnded(7), .failedPrecondition, "host session 7 has ended"),
        (
            .sessionIsStream(7), .failedPrecondition,
            "host session 7 is an Attach stream: its commands and events go through the stream"
        ),
        (.sessionReplaced(7), .aborted, "host session 7 was replaced by a new one"),
        (
            .exhausted("too many Watch streams: max 2 (--max-watch-streams)"), .resourceExhausted,
            "too many Watch streams: max 2 (--max-watch-streams)"
        ),
        (.shuttingDown, .unavailable, "peerd is shutting down"),
        (.notStored("disk full"), .unavailable, "the change is not stored: disk full"),
        (.invariant("the engine refused a host it admitted"), .internal, "the engine refused a host it admitted"),
    ]

    @Test("each refusal has its status code and message", arguments: rows)
    func mapping(_ error: PeerManagerError, _ code: StatusCode, _ message: String) {
        #expect(error.rpcError == RPCError(code: code, message: message))
    }

    @Test("the transport's rule: a thrown PeerManagerError is sent as its own status")
    func convertible() {
        let thrown: any Error = PeerManagerError.noHost(action: "disconnect")
        #expect((thrown as? any RPCErrorConvertible)?.rpcError.code == .failedPrecondition)
    }
}

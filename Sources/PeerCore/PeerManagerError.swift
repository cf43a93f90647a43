import PeerIdentity

/// Why the peer manager refused a request or ended a session, in its own terms.
///
/// The engine owner and the services throw these; the service layer maps each case to a status
/// code in one place (`PeerManagerError+Status.swift` in PeerServer), so no part of the peer
/// manager below the wire picks a status code. `description` is the message a client reads.
public enum PeerManagerError: Error, Equatable, Sendable, CustomStringConvertible {
    // Bad input: changes nothing.
    /// A named field that does not parse or breaks a rule: "field: reason".
    case invalid(field: String, reason: String)
    /// A required field left empty: "field is empty".
    case empty(field: String)
    /// A request that breaks a rule not tied to one field's text (the message says which).
    case badRequest(String)

    // The state of the books.
    /// The peer is not in the store; `hint` says what to do about it.
    case notFound(PeerID, hint: String? = nil)
    /// The peer is not connected (Disconnect).
    case notConnected(PeerID)
    /// The peer is the host itself.
    case isSelf(PeerID)
    /// Only the host can do `action` (dial, disconnect), and none is attached.
    case noHost(action: String)

    // Host sessions.
    /// Another host is attached and the hello does not take over.
    case hostBusy(session: UInt64)
    /// The host's cluster contradicts peerd's.
    case clusterMismatch(host: UInt16?, configured: UInt16?)
    /// A hello after the first event of a session.
    case helloNotFirst
    /// A unary call names a session that is not attached.
    case sessionNotAttached(UInt64)
    /// Events for a session that was detached meanwhile.
    case sessionDetached(UInt64)
    /// A poll for a session that ended while it waited.
    case sessionEnded(UInt64)
    /// A unary call names an Attach stream's session.
    case sessionIsStream(UInt64)
    /// The session was replaced by a new host session.
    case sessionReplaced(UInt64)

    // Limits and lifecycle.
    /// A bound was reached (queues, streams, slots, the store); the message names it and its flag.
    case exhausted(String)
    /// peerd is shutting down.
    case shuttingDown
    /// A change a client asked for is not on disk (the peer store's write failed): it stays in
    /// memory and is written when the disk recovers, but the caller must not hear OK.
    case notStored(String)
    /// A broken invariant: a bug, not the caller's fault.
    case invariant(String)

    public var description: String {
        switch self {
        case .invalid(let field, let reason): "\(field): \(reason)"
        case .empty(let field): "\(field) is empty"
        case .badRequest(let message): message
        case .notFound(let peer, let hint): "peer \(peer) is not in the store" + (hint.map { ": \($0)" } ?? "")
        case .notConnected(let peer): "peer \(peer) is not connected"
        case .isSelf(let peer): "\(peer) is the host itself"
        case .noHost(let action): "no host attached: peerd cannot \(action) without one"
        case .hostBusy(let session):
            "a host is already attached (session \(session)); set take_over to replace it"
        case .clusterMismatch(let host, let configured):
            "host is on cluster \(host.map(String.init) ?? "none") but peerd is configured for cluster \(configured.map(String.init) ?? "none")"
        case .helloNotFirst: "hello is only valid as the first event of a session"
        case .sessionNotAttached(let id): "host session \(id) is not attached"
        case .sessionDetached(let id): "host session \(id) is no longer attached"
        case .sessionEnded(let id): "host session \(id) has ended"
        case .sessionIsStream(let id):
            "host session \(id) is an Attach stream: its commands and events go through the stream"
        case .sessionReplaced(let id): "host session \(id) was replaced by a new one"
        case .exhausted(let message): message
        case .shuttingDown: "peerd is shutting down"
        case .notStored(let reason): "the change is not stored: \(reason)"
        case .invariant(let message): message
        }
    }
}

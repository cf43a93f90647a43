import PeerWire

/// A call that did not end OK: peerd's status (or the client's own, e.g. UNAVAILABLE when the
/// connection is lost, DEADLINE_EXCEEDED from the client's timer, CANCELLED when the task was
/// cancelled) and its message.
///
/// The same value the server's handlers throw (PeerWire's ``RPCError``: a status code and a
/// message, `description` reading `CODE: "message"`), so client and server share one type.
public typealias PeerdClientError = RPCError

extension PeerdClientError {
    static func connectionLost(_ socketPath: String) -> PeerdClientError {
        PeerdClientError(code: .unavailable, message: "the connection to peerd at \(socketPath) was lost")
    }

    static let cancelled = PeerdClientError(code: .cancelled, message: "the call was cancelled by the client")

    static func deadlineExceeded(_ timeout: Duration) -> PeerdClientError {
        PeerdClientError(code: .deadlineExceeded, message: "deadline of \(timeout) exceeded (client timer)")
    }
}

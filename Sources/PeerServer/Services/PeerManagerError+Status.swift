import PeerCore
import PeerWire

/// The one place where the peer manager's refusals become gRPC statuses: the transport asks
/// every thrown `RPCErrorConvertible` for its status, and this is the peer manager's.
///
/// The rules, as gRPC defines the codes: bad input is INVALID_ARGUMENT; a request the state of
/// the books or the sessions refuses (it could succeed later, or after another call) is
/// FAILED_PRECONDITION; a lost race for the host seat is ABORTED; a bound is RESOURCE_EXHAUSTED.
extension PeerManagerError: RPCErrorConvertible {
    public var statusCode: StatusCode {
        switch self {
        case .invalid, .empty, .badRequest: .invalidArgument
        case .notFound: .notFound
        case .notConnected, .isSelf, .noHost, .hostBusy, .clusterMismatch, .helloNotFirst, .sessionNotAttached,
            .sessionDetached, .sessionEnded, .sessionIsStream:
            .failedPrecondition
        case .sessionReplaced: .aborted
        case .exhausted: .resourceExhausted
        case .shuttingDown, .notStored: .unavailable
        case .invariant: .internal
        }
    }

    public var rpcError: RPCError { RPCError(code: statusCode, message: description) }
}

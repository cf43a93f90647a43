import PeerWire
import Testing

@_spi(Fuzzing) @testable import TTRPCServer

/// How a handler's thrown error becomes the status the client sees.
@Suite("Handler errors -> status")
struct ErrorStatusTests {
    /// An application's own error that knows its status (as the peer manager's errors do).
    struct DomainError: RPCErrorConvertible {
        var rpcError: RPCError { RPCError(code: .failedPrecondition, message: "not now") }
    }

    struct OtherError: Error {}

    @Test("RPCError keeps its status, RPCErrorConvertible says its own, cancellation is CANCELLED, others UNKNOWN")
    func statuses() {
        #expect(
            ConnectionHandler.status(for: RPCError(code: .notFound, message: "x"))
                == RPCError(code: .notFound, message: "x"))
        #expect(ConnectionHandler.status(for: DomainError()) == RPCError(code: .failedPrecondition, message: "not now"))
        #expect(ConnectionHandler.status(for: CancellationError()).code == .cancelled)
        #expect(ConnectionHandler.status(for: OtherError()).code == .unknown)
    }
}

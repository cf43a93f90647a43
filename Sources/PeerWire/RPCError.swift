/// A failed call: a gRPC status code and a message, as a Swift error.
///
/// Handlers throw it to choose the status a client sees; any other error becomes UNKNOWN.
/// `description` reads `CODE: "message"`, like grpc-swift-2's `RPCError`.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(code: StatusCode, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \"\(message)\"" }
}

/// An error that knows the status a client sees for it (grpc-swift-2's `RPCErrorConvertible`).
///
/// An application keeps its own domain errors and maps them to statuses in one place, by
/// conforming them; the transport asks for ``rpcError`` when a handler throws one.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

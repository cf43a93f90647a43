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

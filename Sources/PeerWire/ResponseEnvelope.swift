import NIOCore

/// The payload of a Response frame: the call's final status and, when OK, the serialized reply.
public struct ResponseEnvelope: Hashable, Sendable {
    public var code: StatusCode
    public var message: String
    public var payload: ByteBuffer

    public init(code: StatusCode = .ok, message: String = "", payload: ByteBuffer = ByteBuffer()) {
        self.code = code
        self.message = message
        self.payload = payload
    }

    public init(error: RPCError) {
        self.init(code: error.code, message: error.message)
    }
}

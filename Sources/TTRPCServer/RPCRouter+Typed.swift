import NIOCore
import PeerWire

/// Registration with message types: the router decodes requests (a request it cannot decode is
/// INTERNAL, gRPC's rule; a string with a NUL byte or a field over the configured
/// `maxFieldBytes` is INVALID_ARGUMENT, see ``WireLimits``) and encodes replies, so handlers see
/// only Swift values.
extension RPCRouter {
    /// A unary method answered on the event loop (see ``RPCHandler/inline(_:)``).
    public mutating func inline<Request: WireMessage, Response: WireMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) throws -> Response
    ) {
        register(
            service: service, method: method,
            .inline { payload, context in try body(Request(wire: payload), context).encoded() })
    }

    /// A unary method answered on the event loop whose body returns its reply already encoded
    /// (a body that keeps encoded replies, see ``PeerReplyCache``).
    public mutating func inlineEncoded<Request: WireMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) throws -> ByteBuffer
    ) {
        register(
            service: service, method: method, .inline { payload, context in try body(Request(wire: payload), context) })
    }

    /// A unary method that may suspend.
    public mutating func unary<Request: WireMessage, Response: WireMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) async throws -> Response
    ) {
        register(
            service: service, method: method,
            .unary { payload, context in try await body(Request(wire: payload), context).encoded() })
    }

    /// A server-streaming method.
    public mutating func serverStreaming<Request: WireMessage>(
        _ service: String, _ method: String,
        _ body:
            @escaping @Sendable (_ request: Request, _ context: ServerContext, _ writer: StreamWriter) async throws
            -> Void
    ) {
        register(
            service: service, method: method,
            .serverStreaming { payload, context, writer in try await body(Request(wire: payload), context, writer) })
    }
}

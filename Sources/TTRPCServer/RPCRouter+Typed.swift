import NIOCore
import PeerWire

/// Registration by contract method: the service and method names come from the generated
/// ``MethodDescriptor`` (no name is spelled by hand), and the router decodes requests (a request
/// it cannot decode is INTERNAL, gRPC's rule; a string with a NUL byte or a field over the
/// configured `maxFieldBytes` is INVALID_ARGUMENT, see ``WireLimits``) and encodes replies, so
/// handlers see only Swift values of the descriptor's types.
extension RPCRouter {
    /// Registers `handler` for a contract method, replacing any earlier one. The handler's variant
    /// must serve the method's kind (a unary method needs `.inline` or `.unary`): a mismatch is a
    /// programming error, caught when the server is built, not on a call.
    public mutating func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ handler: RPCHandler
    ) {
        precondition(
            handler.kind == method.kind || (method.kind == .clientStreaming && handler.kind == .bidirectionalStreaming),
            "\(method.fullMethod) is \(method.kind), its handler serves \(handler.kind)")
        register(service: method.service, method: method.method, kind: method.kind, handler)
    }

    /// A unary method answered on the event loop (see ``RPCHandler/inline(_:)``).
    public mutating func inline<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) throws -> Response
    ) {
        register(method, .inline { payload, context in try body(Request(wire: payload), context).encoded() })
    }

    /// A unary method answered on the event loop whose body returns its reply already encoded
    /// (a body that keeps encoded replies, see `PeerReplyCache`): the encoding is the caller's
    /// promise that the bytes are a `Response`.
    public mutating func inlineEncoded<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) throws -> ByteBuffer
    ) {
        register(method, .inline { payload, context in try body(Request(wire: payload), context) })
    }

    /// A unary method that may suspend.
    public mutating func unary<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) async throws -> Response
    ) {
        register(method, .unary { payload, context in try await body(Request(wire: payload), context).encoded() })
    }

    /// A server-streaming method: one decoded request, replies through the writer.
    public mutating func serverStreaming<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ body:
            @escaping @Sendable (_ request: Request, _ context: ServerContext, _ writer: StreamWriter) async throws
            -> Void
    ) {
        register(
            method,
            .serverStreaming { payload, context, writer in try await body(Request(wire: payload), context, writer) })
    }

    /// A bidirectional-streaming method: the raw request stream (each message decoded where it is
    /// taken, so a bad one can be skipped) and the writer.
    public mutating func bidirectionalStreaming<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ body:
            @escaping @Sendable (_ requests: RequestStream, _ context: ServerContext, _ writer: StreamWriter)
            async throws -> Void
    ) {
        register(method, .bidirectionalStreaming(body))
    }
}

/// Registration by name, for methods outside the contract (the transport's own tests serve a
/// made-up `t` service). peerd's methods register by descriptor, above.
extension RPCRouter {
    /// A unary method answered on the event loop, by name.
    public mutating func inline<Request: WireMessage, Response: WireMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) throws -> Response
    ) {
        register(
            service: service, method: method,
            .inline { payload, context in try body(Request(wire: payload), context).encoded() })
    }

    /// A unary method that may suspend, by name.
    public mutating func unary<Request: WireMessage, Response: WireMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) async throws -> Response
    ) {
        register(
            service: service, method: method,
            .unary { payload, context in try await body(Request(wire: payload), context).encoded() })
    }

    /// A unary method answered on the event loop whose body returns its reply encoded, by name.
    public mutating func inlineEncoded<Request: WireMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (_ request: Request, _ context: ServerContext) throws -> ByteBuffer
    ) {
        register(
            service: service, method: method, .inline { payload, context in try body(Request(wire: payload), context) })
    }

    /// A server-streaming method, by name.
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

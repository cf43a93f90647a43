/// How a method streams, as its `rpc` line in the contract declares it.
public enum RPCKind: String, Sendable, Hashable, CaseIterable {
    /// `rpc M(Req) returns (Resp)`
    case unary
    /// `rpc M(Req) returns (stream Resp)`
    case serverStreaming
    /// `rpc M(stream Req) returns (Resp)`
    case clientStreaming
    /// `rpc M(stream Req) returns (stream Resp)`
    case bidirectionalStreaming
}

/// One method of a service in the contract (the `*_service.proto` files), with its message types.
///
/// Generated from the service blocks by scripts/gen-proto; the server registers handlers with it
/// and the clients call with it, so neither spells a service or method name by hand.
public struct MethodDescriptor<Request: WireMessage, Response: WireMessage>: Sendable, Hashable {
    /// The fully qualified service name, e.g. `grpc.health.v1.Health`.
    public let service: String
    /// The method name, e.g. `Check`.
    public let method: String
    public let kind: RPCKind

    public init(service: String, method: String, kind: RPCKind) {
        self.service = service
        self.method = method
        self.kind = kind
    }

    /// `/service/method`, as metrics and logs label calls.
    public var fullMethod: String { "/\(service)/\(method)" }

    /// The descriptor without its message types, for lists of a service's methods.
    public var erased: AnyMethodDescriptor {
        AnyMethodDescriptor(
            service: service, method: method, kind: kind, requestType: Request.protobufName,
            responseType: Response.protobufName)
    }
}

/// A ``MethodDescriptor`` with its message types as protobuf names.
public struct AnyMethodDescriptor: Sendable, Hashable {
    public let service: String
    public let method: String
    public let kind: RPCKind
    /// The request's fully qualified protobuf name, e.g. `grpc.health.v1.HealthCheckRequest`.
    public let requestType: String
    public let responseType: String

    public init(service: String, method: String, kind: RPCKind, requestType: String, responseType: String) {
        self.service = service
        self.method = method
        self.kind = kind
        self.requestType = requestType
        self.responseType = responseType
    }

    public var fullMethod: String { "/\(service)/\(method)" }
}

import PeerWire

/// Handlers keyed by service and method, like grpc-swift-2's `RPCRouter`.
public struct RPCRouter: Sendable {
    /// A registered method: its handler, its `/service/Method` name, made once here rather
    /// than on every call (metrics and logs label calls with it), and how it streams.
    public struct Route: Sendable {
        public var handler: RPCHandler
        public var fullMethod: String
        /// The kind the method was registered with: its descriptor's, or its handler's variant's
        /// (the router-vs-contract test compares it with the contract).
        public var kind: RPCKind
    }

    /// Every route by service and method: the fuzzing server wraps every handler
    /// (PeerServer/Fuzzing/FuzzingServer.swift).
    public private(set) var services: [String: [String: Route]] = [:]

    public init() {}

    /// Registers `handler` for `service`/`method`, replacing any earlier one. Contract methods
    /// register with their descriptors instead (``register(_:_:)``), so no name is spelled by hand.
    public mutating func register(service: String, method: String, _ handler: RPCHandler) {
        register(service: service, method: method, kind: handler.kind, handler)
    }

    mutating func register(service: String, method: String, kind: RPCKind, _ handler: RPCHandler) {
        services[service, default: [:]][method] = Route(
            handler: handler, fullMethod: "/\(service)/\(method)", kind: kind)
    }

    public enum Lookup {
        case found(Route)
        case unknownService
        case unknownMethod
    }

    public func lookup(service: String, method: String) -> Lookup {
        guard let methods = services[service] else { return .unknownService }
        guard let route = methods[method] else { return .unknownMethod }
        return .found(route)
    }

    /// Registered service names, sorted.
    public var serviceNames: [String] { services.keys.sorted() }
}

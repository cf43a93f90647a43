/// Handlers keyed by service and method, like grpc-swift-2's `RPCRouter`.
public struct RPCRouter: Sendable {
    /// A registered method: its handler and its `/service/Method` name, made once here rather
    /// than on every call (metrics and logs label calls with it).
    public struct Route: Sendable {
        public var handler: RPCHandler
        public var fullMethod: String
    }

    /// Every route by service and method: the fuzzing server wraps every handler
    /// (PeerServer/Fuzzing/FuzzingServer.swift).
    public private(set) var services: [String: [String: Route]] = [:]

    public init() {}

    /// Registers `handler` for `service`/`method`, replacing any earlier one.
    public mutating func register(service: String, method: String, _ handler: RPCHandler) {
        services[service, default: [:]][method] = Route(handler: handler, fullMethod: "/\(service)/\(method)")
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

/// Handlers keyed by service and method, like grpc-swift-2's `RPCRouter`.
public struct RPCRouter: Sendable {
    private var services: [String: [String: RPCHandler]] = [:]

    public init() {}

    /// Registers `handler` for `service`/`method`, replacing any earlier one.
    public mutating func register(service: String, method: String, _ handler: RPCHandler) {
        services[service, default: [:]][method] = handler
    }

    public enum Lookup {
        case found(RPCHandler)
        case unknownService
        case unknownMethod
    }

    public func lookup(service: String, method: String) -> Lookup {
        guard let methods = services[service] else { return .unknownService }
        guard let handler = methods[method] else { return .unknownMethod }
        return .found(handler)
    }

    /// Registered service names, sorted.
    public var serviceNames: [String] { services.keys.sorted() }
}

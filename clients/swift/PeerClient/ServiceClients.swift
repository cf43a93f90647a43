/// The typed client of `waku.peermanager.v1.PeerManager`: one method per RPC (Generated/).
public struct PeerManagerClient: Sendable {
    public let connection: ClientConnection
    public init(connection: ClientConnection) { self.connection = connection }
}

/// The typed client of `waku.peermanager.v1.Host`, for host nodes; ``HostSession`` builds on it.
public struct HostClient: Sendable {
    public let connection: ClientConnection
    public init(connection: ClientConnection) { self.connection = connection }
}

/// The typed client of `grpc.health.v1.Health`.
public struct HealthClient: Sendable {
    public let connection: ClientConnection
    public init(connection: ClientConnection) { self.connection = connection }
}

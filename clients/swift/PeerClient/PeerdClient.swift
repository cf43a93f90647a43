import Foundation
import PeerdPaths

/// A client of one peerd: its three services over one connection.
public struct PeerdClient: Sendable {
    public let connection: ClientConnection

    public init(connection: ClientConnection) { self.connection = connection }

    public var peerManager: PeerManagerClient { PeerManagerClient(connection: connection) }
    public var host: HostClient { HostClient(connection: connection) }
    public var health: HealthClient { HealthClient(connection: connection) }
}

/// Runs `body` with a client of the peerd at `socketPath` (nil: the default path, as peerd's
/// own default, see `DefaultPaths.socket`), and closes the connection when `body` returns or
/// throws. Shaped like grpc-swift-2's `withGRPCClient`.
public func withPeerdClient<Result: Sendable>(
    socketPath: String? = nil, isolation: isolated (any Actor)? = #isolation,
    _ body: (PeerdClient) async throws -> Result
) async throws -> Result {
    let connection = ClientConnection(
        socketPath: socketPath ?? DefaultPaths.socket(environment: ProcessInfo.processInfo.environment))
    let result: Result
    do {
        result = try await body(PeerdClient(connection: connection))
    } catch {
        await connection.close()
        throw error
    }
    await connection.close()
    return result
}

import NIOCore
import PeerWire

/// Sends Data frames on one stream. Each `write` completes once the frame is handed to the
/// socket, so a client that stops reading slows its own stream down, and nothing else.
public struct StreamWriter: Sendable {
    let send: @Sendable (ByteBuffer) async throws -> Void

    public init(send: @escaping @Sendable (ByteBuffer) async throws -> Void) {
        self.send = send
    }

    /// Sends one serialized message.
    public func write(bytes: ByteBuffer) async throws {
        try await send(bytes)
    }

    /// Sends one message.
    public func write(_ message: some WireMessage) async throws {
        try await send(message.encoded())
    }
}

import NIOCore
import PeerWire

/// Sends Data frames on one stream. Each `write` completes once its frames are handed to the
/// socket, so a client that stops reading slows its own stream down, and nothing else.
public struct StreamWriter: Sendable {
    let send: @Sendable (ByteBuffer) async throws -> Void
    /// Several frames, flushed once; nil: one `send` after another.
    let sendBatch: (@Sendable ([ByteBuffer]) async throws -> Void)?

    public init(
        send: @escaping @Sendable (ByteBuffer) async throws -> Void,
        sendBatch: (@Sendable ([ByteBuffer]) async throws -> Void)? = nil
    ) {
        self.send = send
        self.sendBatch = sendBatch
    }

    /// Sends one serialized message.
    public func write(bytes: ByteBuffer) async throws {
        try await send(bytes)
    }

    /// Sends one message.
    public func write(_ message: some WireMessage) async throws {
        try await send(message.encoded())
    }

    /// Sends serialized messages in order, as one write to the socket when the connection can:
    /// a writer that fell behind catches up in one turn of the event loop, not one per message.
    public func write(contentsOf messages: [ByteBuffer]) async throws {
        if let sendBatch, messages.count > 1 {
            try await sendBatch(messages)
        } else {
            for message in messages { try await send(message) }
        }
    }
}

import NIOCore

/// A protobuf message as a Swift value, encoded and decoded through protobuf-c.
public protocol WireMessage: Sendable {
    /// The fully qualified protobuf name, e.g. `grpc.health.v1.HealthCheckRequest`.
    static var protobufName: String { get }
    /// Decodes the readable bytes of `buffer`; throws `WireDecodingError` if protobuf-c refuses them.
    init(wire buffer: ByteBuffer) throws
    /// Appends the serialized message to `buffer`.
    func encode(into buffer: inout ByteBuffer)
}

extension WireMessage {
    /// The serialized message in a new buffer.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        encode(into: &buffer)
        return buffer
    }
}

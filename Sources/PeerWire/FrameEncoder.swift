import NIOCore

/// Writes frames as header plus payload.
///
/// The size limit is the producer's job (the server answers RESOURCE_EXHAUSTED instead of
/// building an oversized frame), so the encoder only serializes.
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        out.reserveCapacity(minimumWritableBytes: FrameHeader.size + data.payload.readableBytes)
        data.write(to: &out)
    }
}

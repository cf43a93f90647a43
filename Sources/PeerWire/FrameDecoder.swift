import NIOCore

/// Turns bytes into ttrpc frames, enforcing the maximum frame size from the header alone.
///
/// States (like swift-nio-extras' `LengthFieldBasedFrameDecoder`, plus a third): waiting for a
/// header, waiting for a body of known length, or discarding the body of an oversized frame.
/// An oversized frame is reported as soon as its header is read, so the server can answer
/// RESOURCE_EXHAUSTED on that stream; its bytes are then skipped as they arrive, never buffered,
/// and the connection stays usable.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public enum Output: Hashable, Sendable {
        /// A whole frame.
        case frame(Frame)
        /// A frame whose length exceeds the maximum; its payload is being discarded.
        case oversized(FrameHeader)
    }
    public typealias InboundOut = Output

    private enum State {
        case waitingForHeader
        case waitingForBody(FrameHeader)
        case discarding(remaining: Int)
    }

    /// The largest payload accepted, in bytes. ttrpc's limit, and gRPC's default, is 4 MiB.
    public let maxFrameSize: Int
    private var state: State = .waitingForHeader

    public static let defaultMaxFrameSize = 4 << 20

    /// - Parameter maxFrameSize: the largest payload accepted (default 4 MiB, ttrpc's own limit).
    public init(maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize) {
        precondition(maxFrameSize >= 0, "maxFrameSize must not be negative")
        self.maxFrameSize = maxFrameSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Output? {
        while true {
            switch state {
            case .waitingForHeader:
                guard let header = FrameHeader.read(from: &buffer) else { return nil }
                if Int(header.length) > maxFrameSize {
                    state = .discarding(remaining: Int(header.length))
                    return .oversized(header)
                }
                state = .waitingForBody(header)
            case .waitingForBody(let header):
                guard let payload = buffer.readSlice(length: Int(header.length)) else { return nil }
                state = .waitingForHeader
                return .frame(
                    Frame(streamID: header.streamID, type: header.type, flags: header.flags, payload: payload))
            case .discarding(let remaining):
                let skipped = min(remaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: skipped)
                if skipped < remaining {
                    state = .discarding(remaining: remaining - skipped)
                    return nil
                }
                state = .waitingForHeader
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Output? {
        try decode(buffer: &buffer)
    }
}

@available(*, unavailable)
extension FrameDecoder: Sendable {}

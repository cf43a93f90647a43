import NIOCore

/// One ttrpc frame: a header's stream id, type and flags plus its payload.
public struct Frame: Hashable, Sendable {
    public var streamID: UInt32
    public var type: MessageType
    public var flags: FrameFlags
    public var payload: ByteBuffer

    public init(streamID: UInt32, type: MessageType, flags: FrameFlags = [], payload: ByteBuffer) {
        self.streamID = streamID
        self.type = type
        self.flags = flags
        self.payload = payload
    }

    public var header: FrameHeader {
        FrameHeader(length: UInt32(payload.readableBytes), streamID: streamID, type: type, flags: flags)
    }

    /// Appends the header and payload to `buffer` (one write, no intermediate copy).
    public func write(to buffer: inout ByteBuffer) {
        header.write(to: &buffer)
        var payload = payload
        buffer.writeBuffer(&payload)
    }
}

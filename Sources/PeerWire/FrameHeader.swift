import NIOCore

/// The 10-byte ttrpc frame header: payload length (u32 BE), stream id (u32 BE), type, flags.
public struct FrameHeader: Hashable, Sendable {
    /// Bytes on the wire before the payload.
    public static let size = 10

    /// Payload length in bytes, excluding the header.
    public var length: UInt32
    public var streamID: UInt32
    public var type: MessageType
    public var flags: FrameFlags

    public init(length: UInt32, streamID: UInt32, type: MessageType, flags: FrameFlags = []) {
        self.length = length
        self.streamID = streamID
        self.type = type
        self.flags = flags
    }

    /// Reads a header if 10 bytes are readable; otherwise returns nil and consumes nothing.
    static func read(from buffer: inout ByteBuffer) -> FrameHeader? {
        guard buffer.readableBytes >= size,
            let length = buffer.readInteger(endianness: .big, as: UInt32.self),
            let streamID = buffer.readInteger(endianness: .big, as: UInt32.self),
            let type = buffer.readInteger(as: UInt8.self),
            let flags = buffer.readInteger(as: UInt8.self)
        else { return nil }
        return FrameHeader(
            length: length, streamID: streamID, type: MessageType(rawValue: type),
            flags: FrameFlags(rawValue: flags))
    }

    /// Appends the 10 header bytes.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(length, endianness: .big)
        buffer.writeInteger(streamID, endianness: .big)
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
    }

    /// Writes the 10 header bytes at `index` (reserved earlier), so a payload can be encoded
    /// straight after its header without knowing its length first.
    public func set(in buffer: inout ByteBuffer, at index: Int) {
        buffer.setInteger(length, at: index, endianness: .big)
        buffer.setInteger(streamID, at: index + 4, endianness: .big)
        buffer.setInteger(type.rawValue, at: index + 8)
        buffer.setInteger(flags.rawValue, at: index + 9)
    }
}

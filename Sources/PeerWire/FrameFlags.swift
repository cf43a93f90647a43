/// The flags byte of a ttrpc frame; its meaning depends on the message type.
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Request or Data: the sender sends no more data on this stream.
    public static let remoteClosed = FrameFlags(rawValue: 0x01)
    /// Request: the sender keeps sending Data frames (client or bidirectional streaming).
    public static let remoteOpen = FrameFlags(rawValue: 0x02)
    /// Data: the frame carries no message (only the flags matter).
    public static let noData = FrameFlags(rawValue: 0x04)
}

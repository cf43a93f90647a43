/// The ttrpc message type byte (offset 8 of the frame header).
///
/// A struct rather than an enum: unknown types must survive decoding so the server can ignore
/// them, as ttrpc requires for forward compatibility.
public struct MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Opens a stream and carries a `ttrpc.Request` envelope.
    public static let request = MessageType(rawValue: 0x01)
    /// Ends a stream and carries a `ttrpc.Response` envelope (status plus payload).
    public static let response = MessageType(rawValue: 0x02)
    /// Stream data: one serialized message of the method's stream type.
    public static let data = MessageType(rawValue: 0x03)
    /// peerd's extension: the client abandons the stream (payload `ttrpc.peerd.Cancel`, may be
    /// empty). A stock ttrpc server ignores it as an unknown type.
    public static let cancel = MessageType(rawValue: 0x10)

    public var description: String {
        switch self {
        case .request: "Request"
        case .response: "Response"
        case .data: "Data"
        case .cancel: "Cancel"
        default: "Unknown(0x\(String(rawValue, radix: 16)))"
        }
    }
}

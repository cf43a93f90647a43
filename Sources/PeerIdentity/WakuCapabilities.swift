/// The `waku2` ENR capability bits (nwaku `capabilities.nim`).
public struct WakuCapabilities: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let relay = WakuCapabilities(rawValue: 1 << 0)
    public static let store = WakuCapabilities(rawValue: 1 << 1)
    public static let filter = WakuCapabilities(rawValue: 1 << 2)
    public static let lightpush = WakuCapabilities(rawValue: 1 << 3)
    public static let sync = WakuCapabilities(rawValue: 1 << 4)
    public static let mix = WakuCapabilities(rawValue: 1 << 5)
}

/// A Tor v3 onion service address with its port, as the `/onion3/` multiaddr component holds it.
public struct Onion3Address: Hashable, Sendable, CustomStringConvertible {
    /// The 35 bytes of the service address (public key, checksum, version).
    public let serviceID: [UInt8]
    public let port: UInt16

    /// nil unless `serviceID` has 35 bytes and `port` is not zero.
    public init?(serviceID: [UInt8], port: UInt16) {
        guard serviceID.count == 35, port != 0 else { return nil }
        self.serviceID = serviceID
        self.port = port
    }

    /// Parses `<56 base32 characters>:<port>`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 56, let id = Base32.decode(Substring(parts[0])),
            let port = Port.parse(parts[1])
        else { return nil }
        self.init(serviceID: id, port: port)
    }

    public var description: String { "\(Base32.encode(serviceID)):\(port)" }
}

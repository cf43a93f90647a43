/// An IPv4 address: four bytes, written in dotted decimal.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Wraps exactly four bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted decimal (`192.168.0.1`).
    ///
    /// Leading zeros are refused (`010.0.0.1`): some parsers read them as octal, so such text
    /// does not say which address it means.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count <= 15 else { return nil }  // 255.255.255.255
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                part.utf8.count == 1 || part.utf8.first != UInt8(ascii: "0"),
                let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        self.bytes = bytes
    }

    public var description: String { bytes.map(String.init).joined(separator: ".") }
}

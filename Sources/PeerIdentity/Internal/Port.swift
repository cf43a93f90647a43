/// Decimal port text: digits only, no sign, no leading zero, at most 65535.
enum Port {
    static func parse(_ text: some StringProtocol) -> UInt16? {
        let utf8 = text.utf8
        guard (1...5).contains(utf8.count), utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            utf8.count == 1 || utf8.first != UInt8(ascii: "0")
        else { return nil }
        return UInt16(text)
    }
}

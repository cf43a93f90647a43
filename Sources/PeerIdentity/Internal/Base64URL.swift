/// RFC 4648 base64url without padding: the text form of ENRs (EIP-778).
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            for shift in [18, 12] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            for shift in [18, 12, 6] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum DecodeError: Error, Equatable {
        /// The character at this offset is not in the base64url alphabet (`=` padding included).
        case invalidCharacter(offset: Int, character: Character)
        /// A length of 4n+1 characters cannot come from any byte string.
        case invalidLength(Int)
        /// The last character carries non-zero bits that no byte uses.
        case nonCanonicalTail
    }

    static func decode(_ text: Substring) throws(DecodeError) -> [UInt8] {
        let chars = Array(text.utf8)
        guard chars.count % 4 != 1 else { throw .invalidLength(chars.count) }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for (offset, char) in chars.enumerated() {
            let value: UInt32
            switch char {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(char - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(char - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(char - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: throw .invalidCharacter(offset: offset, character: Character(Unicode.Scalar(char)))
            }
            buffer = (buffer << 6 | value) & 0xffffff
            bits += 6
            if bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits - 8)))
                bits -= 8
            }
        }
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { throw .nonCanonicalTail }
        return out
    }
}

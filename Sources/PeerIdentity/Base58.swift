/// Bitcoin-alphabet base58 (base58btc), as libp2p uses for peer ids.
///
/// Both directions work on 32-bit limbs and chunks of five base-58 digits (58^5 < 2^30), so a
/// 38-byte peer id takes about a hundred 64-bit divisions instead of two thousand byte steps:
/// peer ids are converted on every event a host reports and every peer peerd answers with.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// 58^5: five base-58 digits per chunk.
    private static let chunk: UInt64 = 656_356_768
    private static let chunkPowers: [UInt64] = [1, 58, 3364, 195_112, 11_316_496, 656_356_768]

    /// Encodes bytes as base58btc text; leading zero bytes become leading `1`s.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix(while: { $0 == 0 }).count
        // Big-endian 32-bit words of the number (the first word may be partial).
        let significant = bytes.count - zeros
        var words = [UInt32](repeating: 0, count: (significant + 3) / 4)
        for (offset, byte) in bytes[zeros...].enumerated() {
            let position = significant - 1 - offset  // byte position from the least significant end
            words[words.count - 1 - position / 4] |= UInt32(byte) << (8 * UInt32(position % 4))
        }
        var digits: [UInt8] = []  // little-endian base-58 digits
        digits.reserveCapacity(significant * 138 / 100 + 5)
        var first = 0
        while first < words.count {
            // Divide the number by 58^5; the remainder is the next five digits.
            var remainder: UInt64 = 0
            for index in first..<words.count {
                let current = remainder << 32 | UInt64(words[index])
                words[index] = UInt32(current / chunk)
                remainder = current % chunk
            }
            for _ in 0..<5 {
                digits.append(UInt8(remainder % 58))
                remainder /= 58
            }
            while first < words.count && words[first] == 0 { first += 1 }
        }
        while digits.last == 0 { digits.removeLast() }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.reserveCapacity(zeros + digits.count)
        for digit in digits.reversed() { out.append(alphabet[Int(digit)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The longest text ``decode(_:)`` takes. Base58 is a positional number in base 58, so
    /// decoding is quadratic in the length; 1024 characters (about 750 bytes) bound the work to
    /// microseconds and are far beyond anything libp2p writes in base58 (a peer id has at most
    /// ``PeerID/maxTextLength``).
    public static let maxDecodableLength = 1024

    /// Decodes base58btc text; returns nil on a character outside the alphabet, or for text longer
    /// than ``maxDecodableLength``.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= maxDecodableLength else { return nil }
        var chars = Array(text.utf8)
        let zeros = chars.prefix(while: { $0 == alphabet[0] }).count
        chars.removeFirst(zeros)
        var limbs: [UInt32] = []  // little-endian 32-bit limbs
        limbs.reserveCapacity(chars.count * 733 / 4000 + 2)
        var index = 0
        while index < chars.count {
            // Up to five digits at a time: number = number * 58^count + value.
            let count = min(5, chars.count - index)
            var value: UInt64 = 0
            for char in chars[index..<index + count] {
                guard char < 128, reverse[Int(char)] >= 0 else { return nil }
                value = value * 58 + UInt64(reverse[Int(char)])
            }
            let multiplier = chunkPowers[count]
            var carry = value
            for limb in limbs.indices {
                let current = UInt64(limbs[limb]) * multiplier + carry
                limbs[limb] = UInt32(truncatingIfNeeded: current)
                carry = current >> 32
            }
            while carry > 0 {
                limbs.append(UInt32(truncatingIfNeeded: carry))
                carry >>= 32
            }
            index += count
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(zeros + limbs.count * 4)
        bytes.append(contentsOf: repeatElement(0, count: zeros))
        var leading = true
        for limb in limbs.reversed() {
            for shift in stride(from: 24, through: 0, by: -8) {
                let byte = UInt8(truncatingIfNeeded: limb >> UInt32(shift))
                if leading && byte == 0 { continue }
                leading = false
                bytes.append(byte)
            }
        }
        return bytes
    }
}

import Testing

@testable import PeerIdentity

@Suite("Small codecs")
struct CodecTests {
    @Test(
        "base64url without padding",
        arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg")])
    func base64URL(plain: String, encoded: String) throws {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64URL.decode(Substring(encoded)) == Array(plain.utf8))
    }

    @Test("base64url refuses padding, foreign characters, 4n+1 lengths and stray bits")
    func base64URLRefusals() {
        #expect(throws: Base64URL.DecodeError.invalidCharacter(offset: 3, character: "=")) {
            try Base64URL.decode("Zm8=")
        }
        #expect(throws: Base64URL.DecodeError.invalidCharacter(offset: 2, character: "+")) {
            try Base64URL.decode("Zm+v")
        }
        #expect(throws: Base64URL.DecodeError.invalidLength(5)) { try Base64URL.decode("Zm9vY") }
        #expect(throws: Base64URL.DecodeError.nonCanonicalTail) { try Base64URL.decode("Zh") }
    }

    @Test("base32 (onion3)")
    func base32() {
        let bytes: [UInt8] = Array(0..<35)
        #expect(Base32.decode(Substring(Base32.encode(bytes))) == bytes)
        #expect(Base32.decode("mzxw6") == Array("foo".utf8))
        #expect(Base32.decode("mzxw1") == nil)
    }

    @Test("Varints are minimal and at most 9 bytes", arguments: [0, 1, 127, 128, 300, 0x01a5, UInt64(Int64.max)])
    func varint(value: UInt64) throws {
        let bytes = Varint.encode(value)
        var offset = 0
        #expect(try Varint.read(bytes, at: &offset) == value)
        #expect(offset == bytes.count)
    }

    @Test("Varint refusals")
    func varintRefusals() {
        var offset = 0
        #expect(throws: Varint.ReadError.notMinimal) { try Varint.read([0x81, 0x00], at: &offset) }
        offset = 0
        #expect(throws: Varint.ReadError.truncated) { try Varint.read([0x81], at: &offset) }
        offset = 0
        #expect(throws: Varint.ReadError.tooLong) { try Varint.read([UInt8](repeating: 0xff, count: 10), at: &offset) }
    }

    @Test("base58btc keeps leading zeros")
    func base58() {
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(Base58.decode("112") == [0, 0, 1])
        #expect(Base58.decode("0OIl") == nil)
    }

    @Test(
        "IPv6 text is RFC 5952 canonical",
        arguments: [
            ("::", "::"),
            ("::1", "::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),  // first of two equal runs
            ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single zero group stays
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),  // RFC 5952 section 5: IPv4-mapped keeps the dotted tail
            ("::ffff:102:304", "::ffff:1.2.3.4"),
            ("2400:8907::f03c:92ff:fe6b:a13", "2400:8907::f03c:92ff:fe6b:a13"),
        ])
    func ipv6(text: String, canonical: String) throws {
        #expect(try #require(IPv6Address(text)).description == canonical)
    }

    @Test(
        "IPv6 refusals",
        arguments: ["", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", "1:2:3:4:5:6:7", "::1%eth0", "1.2.3.4"])
    func ipv6Refusals(text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test(
        "IPv4 refusals",
        arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.1.1.1", "1.1.1.-1", "1.1.1.1 ", "a.b.c.d"])
    func ipv4Refusals(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    /// The textbook byte-at-a-time algorithm, as a reference for the limb-based one.
    static func referenceEncode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        let zeros = bytes.prefix(while: { $0 == 0 }).count
        var digits: [Int] = []
        for byte in bytes[zeros...] {
            var carry = Int(byte)
            for index in digits.indices {
                carry += digits[index] << 8
                digits[index] = carry % 58
                carry /= 58
            }
            while carry > 0 {
                digits.append(carry % 58)
                carry /= 58
            }
        }
        return String(repeating: "1", count: zeros) + String(digits.reversed().map { alphabet[$0] })
    }

    @Test("Base58 agrees with the byte-at-a-time algorithm and round-trips", arguments: 0..<40)
    func base58AgainstReference(length: Int) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Leading zero bytes and all-zero inputs are the edge cases.
            if length > 2, Bool.random(using: &generator) { bytes[0] = 0 }
            if length > 3, Bool.random(using: &generator) { bytes[1] = 0 }
            let text = Base58.encode(bytes)
            #expect(text == Self.referenceEncode(bytes))
            #expect(Base58.decode(text) == bytes)
        }
        let zeros = [UInt8](repeating: 0, count: length)
        #expect(Base58.encode(zeros) == String(repeating: "1", count: length))
        #expect(Base58.decode(String(repeating: "1", count: length)) == zeros)
    }
}

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
            ("::ffff:1.2.3.4", "::ffff:102:304"),
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
}

import Testing

@testable import PeerIdentity

@Suite("RLP")
struct RLPTests {
    // Examples from the Ethereum wiki / yellow paper appendix B.
    static let canonical: [(RLP.Item, String)] = [
        (.bytes(Array("dog".utf8)), "83646f67"),
        (.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]), "c88363617483646f67"),
        (.bytes([]), "80"),
        (.list([]), "c0"),
        (.bytes([0x0f]), "0f"),
        (.bytes([0x04, 0x00]), "820400"),
        (.bytes([0x80]), "8180"),
        (.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])]), "c7c0c1c0c3c0c1c0"),
        (
            .bytes(Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8)),
            "b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974"
        ),
    ]

    @Test("Encodes and decodes the canonical examples", arguments: canonical)
    func roundTrip(item: RLP.Item, hex: String) throws {
        #expect(Hex.encode(RLP.encode(item)) == hex)
        #expect(try RLP.decode(Fixtures.hex(hex)) == item)
    }

    @Test(
        "Refuses non-canonical and malformed input",
        arguments: [
            ("8100", "single byte"),  // 0x00 must be encoded as itself
            ("817f", "single byte"),
            ("b80548656c6c6f", "long header"),  // 5-byte payload with a long header
            ("b90038" + String(repeating: "61", count: 56), "leading zero"),
            ("83646f", "past the end"),  // truncated
            ("83646f6700", "trailing"),
            ("c3836461", "past the end"),
            ("", "end of input"),
        ])
    func refuses(hex: String, reason: String) {
        #expect {
            try RLP.decode(Fixtures.hex(hex))
        } throws: { error in
            (error as? RLP.DecodeError)?.reason.contains(reason) == true
        }
    }

    @Test("Integers are big-endian without leading zeros")
    func integers() {
        #expect(RLP.bigEndianMinimal(0) == [])
        #expect(RLP.bigEndianMinimal(0x0400) == [0x04, 0x00])
        #expect(RLP.bigEndianMinimal(1_701_255_979_725) == Fixtures.hex("018c1ac222cd"))
    }
}

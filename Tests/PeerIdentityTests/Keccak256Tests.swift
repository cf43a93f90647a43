import Testing

@testable import PeerIdentity

@Suite("Keccak-256")
struct Keccak256Tests {
    // Published Keccak-256 (pre-SHA3 padding) digests, as Ethereum uses them.
    @Test(
        "Known digests",
        arguments: [
            ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
            ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
            (
                "The quick brown fox jumps over the lazy dog",
                "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"
            ),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "45d3b367a6904e6e8d502ee04999a7c27647f91fa845d456525fd352ae3d7371"
            ),
        ])
    func digest(input: String, expected: String) {
        #expect(Hex.encode(Keccak256.hash(Array(input.utf8))) == expected)
    }

    @Test("Differs from SHA3-256 (padding 0x01, not 0x06)")
    func notSHA3() {
        // SHA3-256("") is a7ffc6f8bf1ed766...; Keccak-256 must not produce it.
        #expect(!Hex.encode(Keccak256.hash([])).hasPrefix("a7ffc6f8"))
    }

    @Test("Inputs across the 136-byte rate boundary are all distinct and stable", arguments: [135, 136, 137, 272, 300])
    func rateBoundaries(length: Int) {
        let input = [UInt8](repeating: 0x61, count: length)
        let digest = Keccak256.hash(input)
        #expect(digest.count == 32)
        #expect(digest == Keccak256.hash(input))
        #expect(digest != Keccak256.hash(input + [0]))
    }
}

import Testing

@testable import PeerIdentity

@Suite("Public key validation")
struct PublicKeyValidationTests {
    static let secpKey = Fixtures.hex("037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99")
    static let edKey = Fixtures.hex("1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")

    static func encoded(_ type: LibP2PPublicKey.KeyType, _ data: [UInt8]) -> [UInt8] {
        LibP2PPublicKey(type: type, data: data).protobufEncoded
    }

    /// A compressed "point" whose x has no y on the curve.
    static var offCurve: [UInt8] {
        for x in UInt8(1)...UInt8(255) {
            let candidate = [0x02] + [UInt8](repeating: 0, count: 31) + [x]
            if Secp256k1.compress(candidate) == nil { return candidate }
        }
        fatalError("no off-curve x below 256")
    }

    @Test("a key that derives the peer id is accepted (secp256k1, ed25519, hashed rsa)")
    func matching() throws {
        let secp = try PeerID(secp256k1PublicKey: Self.secpKey)
        #expect(try LibP2PPublicKey(validating: Self.encoded(.secp256k1, Self.secpKey), of: secp).data == Self.secpKey)
        let ed = try PeerID(ed25519PublicKey: Self.edKey)
        #expect(try LibP2PPublicKey(validating: Self.encoded(.ed25519, Self.edKey), of: ed).type == .ed25519)
        let rsa = LibP2PPublicKey(type: .rsa, data: [UInt8](repeating: 0x30, count: 294))
        #expect(try LibP2PPublicKey(validating: rsa.protobufEncoded, of: PeerID(publicKey: rsa)) == rsa)
    }

    @Test("a valid key of another peer is refused")
    func mismatched() throws {
        let other = try PeerID(ed25519PublicKey: Self.edKey)
        #expect {
            try LibP2PPublicKey(validating: Self.encoded(.secp256k1, Self.secpKey), of: other)
        } throws: { "\($0)".contains("derives another peer id") }
    }

    @Test(
        "garbage, wrong sizes and points off the curve are refused",
        arguments: [
            [UInt8](), [1, 2, 3], [UInt8](repeating: 0xff, count: 1000),
            // Field 2 before field 1, and trailing bytes: not the canonical encoding.
            [0x12, 0x01, 0x00, 0x08, 0x01], encoded(.ed25519, edKey) + [0],
            encoded(.ed25519, [UInt8](repeating: 1, count: 31)),
            encoded(.secp256k1, [0x05] + [UInt8](repeating: 2, count: 32)),
            encoded(.secp256k1, offCurve),
            // An uncompressed point: libp2p keys are compressed.
            encoded(.secp256k1, Secp256k1.uncompress(secpKey)!),
            encoded(.rsa, [1, 2, 3]), encoded(.ecdsa, [UInt8](repeating: 1, count: 5000)),
        ])
    func refused(bytes: [UInt8]) throws {
        // The peer the key would name if it were accepted, else any peer.
        let fallback = try PeerID(ed25519PublicKey: Self.edKey)
        let peer = LibP2PPublicKey(protobufEncoded: bytes).map { PeerID(publicKey: $0) } ?? fallback
        #expect {
            try LibP2PPublicKey(validating: bytes, of: peer)
        } throws: { error in
            "\(error)".utf8.count < 200
        }
    }

    @Test("an off-curve secp256k1 key is refused even when its identity multihash is the peer id")
    func offCurveSelfConsistent() throws {
        let key = LibP2PPublicKey(type: .secp256k1, data: Self.offCurve)
        let peer = PeerID(publicKey: key)
        #expect {
            try LibP2PPublicKey(validating: key.protobufEncoded, of: peer)
        } throws: { "\($0)".contains("on the curve") }
    }
}

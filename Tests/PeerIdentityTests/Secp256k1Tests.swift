import Testing

@testable import PeerIdentity

@Suite("libsecp256k1 wrapper")
struct Secp256k1Tests {
    static let digest = Keccak256.hash(Array("peerd".utf8))

    @Test("Sign then verify; any change to digest, key or signature fails")
    func signVerify() throws {
        let key = Fixtures.eip778PublicKey
        let signature = try #require(Secp256k1.sign(digest: Self.digest, secretKey: Fixtures.eip778SecretKey))
        #expect(signature.count == 64)
        #expect(Secp256k1.verify(signature: signature, digest: Self.digest, publicKey: key))

        var otherDigest = Self.digest
        otherDigest[0] ^= 1
        #expect(!Secp256k1.verify(signature: signature, digest: otherDigest, publicKey: key))
        let otherKey = try #require(Secp256k1.publicKey(secretKey: [UInt8](repeating: 1, count: 32)))
        #expect(!Secp256k1.verify(signature: signature, digest: Self.digest, publicKey: otherKey))
        var otherSignature = signature
        otherSignature[40] ^= 1
        #expect(!Secp256k1.verify(signature: otherSignature, digest: Self.digest, publicKey: key))
    }

    @Test("Signatures are low-S (the top bit of s is clear)")
    func lowS() throws {
        for seed in 1...8 {
            let digest = Keccak256.hash([UInt8(seed)])
            let signature = try #require(Secp256k1.sign(digest: digest, secretKey: Fixtures.eip778SecretKey))
            #expect(signature[32] < 0x80)
        }
    }

    @Test("Malformed inputs are refused, not trapped on")
    func malformed() {
        let key = Fixtures.eip778PublicKey
        #expect(!Secp256k1.verify(signature: [], digest: Self.digest, publicKey: key))
        #expect(!Secp256k1.verify(signature: [UInt8](repeating: 0, count: 64), digest: Self.digest, publicKey: key))
        #expect(!Secp256k1.verify(signature: [UInt8](repeating: 0xff, count: 64), digest: Self.digest, publicKey: key))
        #expect(!Secp256k1.verify(signature: [UInt8](repeating: 1, count: 64), digest: [1], publicKey: key))
        #expect(Secp256k1.compress([]) == nil)
        #expect(Secp256k1.compress([0x04] + [UInt8](repeating: 0, count: 64)) == nil)
        #expect(Secp256k1.publicKey(secretKey: [UInt8](repeating: 0, count: 32)) == nil)  // zero is not a key
        #expect(Secp256k1.sign(digest: Self.digest, secretKey: [1]) == nil)
    }

    @Test("Compressed and uncompressed forms convert both ways")
    func forms() throws {
        let compressed = Fixtures.eip778PublicKey
        let uncompressed = try #require(Secp256k1.uncompress(compressed))
        #expect(uncompressed.count == 65 && uncompressed[0] == 0x04)
        #expect(Secp256k1.compress(uncompressed) == compressed)
    }
}

import Testing

@testable import PeerIdentity

@Suite("PeerID")
struct PeerIDTests {
    // Expected ids computed independently (protobuf + multihash + base58btc in Python).
    @Test("secp256k1 keys give identity-multihash ids (16Uiu2...)")
    func secp256k1() throws {
        let key = Fixtures.hex("037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99")
        let id = try PeerID(secp256k1PublicKey: key)
        #expect(id.description == "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY")
        #expect(id.publicKey == LibP2PPublicKey(type: .secp256k1, data: key))
        // An uncompressed key names the same peer.
        let uncompressed = try #require(Secp256k1.uncompress(key))
        #expect(try PeerID(secp256k1PublicKey: uncompressed) == id)
    }

    @Test("ed25519 keys give identity-multihash ids (12D3KooW...)")
    func ed25519() throws {
        let key = Fixtures.hex("1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")
        let id = try PeerID(ed25519PublicKey: key)
        #expect(id.description == "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq")
        #expect(id.publicKey?.type == .ed25519)
    }

    @Test("Keys encoded above 42 bytes are hashed with sha2-256 (Qm...)")
    func hashedKey() {
        let key = LibP2PPublicKey(type: .rsa, data: Array(0..<64))
        let id = PeerID(publicKey: key)
        #expect(id.description == "QmdmfsahhEXCPvnTXWZEpyBjVqtohTJ1rb9MX91b2AS6ni")
        #expect(id.multihash.prefix(2) == [0x12, 0x20])
        #expect(id.publicKey == nil)
    }

    @Test(
        "Text round trips",
        arguments: [
            "16Uiu2HAmNaeL4p3WEYzC9mgXBmBWSgWjPHRvatZTXnp8Jgv3iKsb",
            "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
            "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
        ])
    func textRoundTrip(text: String) throws {
        #expect(try PeerID(text).description == text)
    }

    @Test(
        "Refuses malformed text",
        arguments: [
            ("", "empty"),
            ("16Uiu2HAmNaeL4p3WEYzC9mgXBmBWSgWjPHRvatZTXnp8Jgv3iKs0", "base58"),  // '0' is not base58
            ("16Uiu2HAmNaeL4p3WEYzC9mgXBmBWSgWjPHRvatZTXnp8Jgv3iKs", "digest bytes"),  // truncated
            ("QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJ", "digest bytes"),
            ("1", "truncated"),
            ("3yZe7d", "multihash"),  // random short bytes
        ])
    func refuses(text: String, reason: String) {
        #expect {
            try PeerID(text)
        } throws: { error in
            guard let error = error as? PeerID.ParseError else { return false }
            return error.part == text && error.reason.contains(reason)
        }
    }

    @Test("Refuses multihashes that are not peer ids")
    func refusesMultihash() {
        // sha2-512 code, identity of non-key bytes, sha2-256 of the wrong size.
        let notPeerIDs = [
            "1340" + String(repeating: "00", count: 64),  // sha2-512
            "0003010203",  // identity multihash of bytes that are no public key
            "1210" + String(repeating: "00", count: 16),  // sha2-256 of 16 bytes
        ]
        for hex in notPeerIDs {
            #expect(throws: PeerID.ParseError.self) { try PeerID(validatingMultihash: Fixtures.hex(hex)) }
        }
        #expect(throws: PeerID.ParseError.self) { try PeerID(secp256k1PublicKey: [UInt8](repeating: 7, count: 33)) }
        #expect(throws: PeerID.ParseError.self) { try PeerID(ed25519PublicKey: [1, 2, 3]) }
    }

    @Test("Ordering and equality follow the multihash bytes")
    func ordering() throws {
        let a = try PeerID("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq")
        let b = try PeerID("QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN")
        #expect(a < b)  // identity code 0x00 sorts before sha2-256 0x12
        #expect(a == PeerID(multihash: a.multihash))
    }
}

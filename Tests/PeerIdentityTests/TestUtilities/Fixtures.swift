@testable import PeerIdentity

/// Shared keys and helpers for the identity tests.
enum Fixtures {
    /// The EIP-778 example secret key (its record is in the vectors file).
    static let eip778SecretKey = hex("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
    /// The EIP-778 example record (`ip` 127.0.0.1, `udp` 30303, seq 1).
    static let eip778Record =
        "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"
    static let eip778PeerID = "16Uiu2HAmSH2XVgZqYHWucap5kuPzLnt2TsNQkoppVxB5eJGvaXwm"

    static func hex(_ text: String) -> [UInt8] {
        guard let bytes = Hex.decode(text) else { fatalError("bad hex in a fixture: \(text)") }
        return bytes
    }

    /// Signs arbitrary content `[seq, k, v, ...]` as given (no sorting, no added keys), so tests can
    /// build records that break one rule at a time.
    static func rawRecord(_ content: [RLP.Item], secretKey: [UInt8] = eip778SecretKey) -> [UInt8] {
        let signature = Secp256k1.sign(digest: Keccak256.hash(RLP.encode(.list(content))), secretKey: secretKey)!
        return RLP.encode(.list([.bytes(signature)] + content))
    }

    /// Content of a minimal valid record with `extra` pairs merged in key order (no re-sorting of `extra`).
    static func content(seq: UInt64 = 1, _ pairs: [(String, RLP.Item)]) -> [RLP.Item] {
        var items: [RLP.Item] = [.bytes(RLP.bigEndianMinimal(seq))]
        for (key, value) in pairs { items += [.bytes(Array(key.utf8)), value] }
        return items
    }

    static var eip778PublicKey: [UInt8] { Secp256k1.publicKey(secretKey: eip778SecretKey)! }
}

/// A libp2p peer id: the multihash of the peer's public key, shown as base58btc text.
///
/// Equality, hashing and ordering use the multihash bytes, so the engine can key its books by it.
public struct PeerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The multihash bytes (identity multihash for short keys, sha2-256 otherwise).
    public let multihash: [UInt8]

    public init(multihash: [UInt8]) {
        self.multihash = multihash
    }

    /// The base58btc text form (`16Uiu2...`, `12D3KooW...`, `Qm...`).
    public var description: String { Base58.encode(multihash) }

    /// Hashes the bytes in one call: the synthesized conformance feeds them one at a time, which
    /// dominated the engine's lookups at 100k peers.
    public func hash(into hasher: inout Hasher) {
        multihash.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: PeerID, rhs: PeerID) -> Bool { lhs.multihash == rhs.multihash }

    public static func < (lhs: PeerID, rhs: PeerID) -> Bool {
        lhs.multihash.lexicographicallyPrecedes(rhs.multihash)
    }
}

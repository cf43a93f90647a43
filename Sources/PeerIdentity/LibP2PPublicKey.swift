/// A libp2p public key as peer ids embed it: the protobuf `PublicKey { KeyType Type = 1; bytes Data = 2; }`.
public struct LibP2PPublicKey: Hashable, Sendable {
    /// The libp2p `KeyType` enum.
    public enum KeyType: UInt64, Hashable, Sendable {
        case rsa = 0
        case ed25519 = 1
        case secp256k1 = 2
        case ecdsa = 3
    }

    public var type: KeyType
    /// The key bytes as libp2p defines them for `type` (33-byte compressed point for secp256k1,
    /// 32 bytes for ed25519, DER for rsa and ecdsa).
    public var data: [UInt8]

    public init(type: KeyType, data: [UInt8]) {
        self.type = type
        self.data = data
    }

    /// The deterministic protobuf encoding libp2p hashes into the peer id: field 1 then field 2.
    public var protobufEncoded: [UInt8] {
        var out: [UInt8] = [0x08]
        Varint.encode(type.rawValue, into: &out)
        out.append(0x12)
        Varint.encode(UInt64(data.count), into: &out)
        out.append(contentsOf: data)
        return out
    }

    /// Decodes the protobuf form written by ``protobufEncoded``; nil for anything else.
    ///
    /// Only the canonical field order is accepted: a peer id is a hash of these bytes, so a
    /// different encoding of the same key would be a different peer id.
    public init?(protobufEncoded bytes: [UInt8]) {
        var offset = 0
        guard bytes.count >= 4, bytes[0] == 0x08 else { return nil }
        offset = 1
        guard let rawType = try? Varint.read(bytes, at: &offset), let type = KeyType(rawValue: rawType),
            offset < bytes.count, bytes[offset] == 0x12
        else { return nil }
        offset += 1
        guard let length = try? Varint.read(bytes, at: &offset), length == UInt64(bytes.count - offset) else {
            return nil
        }
        self.init(type: type, data: Array(bytes[offset...]))
    }
}

extension LibP2PPublicKey {
    /// Why bytes are not the public key of a given peer.
    public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        public var reason: String

        public init(reason: String) { self.reason = reason }

        public var description: String { "invalid public key: \(reason)" }
    }

    /// Sizes accepted for keys peerd cannot check further (DER of RSA 1024 to 16384 bits, DER of
    /// an ECDSA P-256 to P-521 key): a bound on what a client can make peerd store and hash.
    static let derKeySizes: [KeyType: ClosedRange<Int>] = [.rsa: 140...2200, .ecdsa: 80...170]

    /// Validates `bytes` as the public key of `peer`, as a client or host gives them together.
    ///
    /// The bytes must be the canonical protobuf `PublicKey` (see ``init(protobufEncoded:)``); a
    /// secp256k1 key must be a 33-byte compressed point that libsecp256k1 parses (on the curve); an
    /// ed25519 key must have 32 bytes; RSA and ECDSA keys (DER, not parsed here) must have a
    /// plausible size. Then the key must derive `peer`: its identity multihash for keys of at most
    /// 42 encoded bytes, its sha2-256 multihash otherwise.
    ///
    /// - Throws: ``ValidationError`` saying which rule failed (never echoing the bytes).
    public init(validating bytes: [UInt8], of peer: PeerID) throws(ValidationError) {
        guard let key = LibP2PPublicKey(protobufEncoded: bytes) else {
            throw ValidationError(reason: "\(bytes.count) bytes are not a canonical libp2p PublicKey protobuf")
        }
        switch key.type {
        case .secp256k1:
            guard key.data.count == 33, Secp256k1.compress(key.data) == key.data else {
                throw ValidationError(reason: "the secp256k1 key is not a 33-byte compressed point on the curve")
            }
        case .ed25519:
            guard key.data.count == 32 else {
                throw ValidationError(reason: "an ed25519 key has 32 bytes, not \(key.data.count)")
            }
        case .rsa, .ecdsa:
            let sizes = Self.derKeySizes[key.type] ?? 0...0
            guard sizes.contains(key.data.count) else {
                let expected = "\(sizes.lowerBound)...\(sizes.upperBound)"
                throw ValidationError(reason: "a \(key.type) key of \(key.data.count) bytes (expected \(expected))")
            }
        }
        guard PeerID(publicKey: key) == peer else {
            throw ValidationError(reason: "the \(key.type) key derives another peer id than \(peer)")
        }
        self = key
    }
}

extension PeerID {
    /// Why text, bytes or a key do not give a peer id.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The offending input (text, or hex of bytes).
        public var part: String
        public var reason: String

        public init(part: String, reason: String) {
            self.part = part
            self.reason = reason
        }

        public var description: String { "invalid peer id '\(part)': \(reason)" }
    }

    /// Multihash codes a peer id may use.
    enum MultihashCode: UInt64 {
        case identity = 0x00
        case sha256 = 0x12
    }

    /// Encoded keys up to this size are inlined (identity multihash); larger ones are hashed.
    static let maxInlineKeyLength = 42

    /// Parses base58btc text (`16Uiu2...`, `12D3KooW...`, `Qm...`) and validates the multihash.
    ///
    /// - Throws: ``ParseError`` for a character outside base58btc or a malformed multihash.
    public init(_ text: String) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(part: text, reason: "empty") }
        guard let bytes = Base58.decode(text) else {
            throw ParseError(part: text, reason: "not base58btc text")
        }
        do {
            try self.init(validatingMultihash: bytes)
        } catch {
            throw ParseError(part: text, reason: error.reason)
        }
    }

    /// Validates multihash bytes: an identity multihash holding a libp2p public key, or a
    /// 32-byte sha2-256 multihash.
    public init(validatingMultihash bytes: [UInt8]) throws(ParseError) {
        let part = Hex.encode(bytes)
        var offset = 0
        guard let rawCode = try? Varint.read(bytes, at: &offset), let length = try? Varint.read(bytes, at: &offset)
        else { throw ParseError(part: part, reason: "truncated multihash header") }
        guard length == UInt64(bytes.count - offset) else {
            throw ParseError(part: part, reason: "multihash says \(length) digest bytes, has \(bytes.count - offset)")
        }
        switch MultihashCode(rawValue: rawCode) {
        case .identity:
            guard length <= UInt64(Self.maxInlineKeyLength),
                LibP2PPublicKey(protobufEncoded: Array(bytes[offset...])) != nil
            else { throw ParseError(part: part, reason: "identity multihash does not hold a libp2p public key") }
        case .sha256:
            guard length == 32 else { throw ParseError(part: part, reason: "sha2-256 digest of \(length) bytes") }
        case nil:
            throw ParseError(part: part, reason: "unsupported multihash code 0x\(String(rawCode, radix: 16))")
        }
        self.init(multihash: bytes)
    }

    /// The peer id of a public key, as libp2p derives it: the identity multihash of the protobuf
    /// key when that is at most 42 bytes, its sha2-256 multihash otherwise.
    public init(publicKey: LibP2PPublicKey) {
        let encoded = publicKey.protobufEncoded
        if encoded.count <= Self.maxInlineKeyLength {
            self.init(multihash: [0x00] + Varint.encode(UInt64(encoded.count)) + encoded)
        } else {
            self.init(multihash: [0x12, 0x20] + SHA256.hash(encoded))
        }
    }

    /// The peer id of a secp256k1 key (`16Uiu2...`).
    ///
    /// - Parameter secp256k1PublicKey: the 33-byte compressed point; a 65-byte uncompressed one is
    ///   compressed first.
    /// - Throws: ``ParseError`` if the bytes are not a point on the curve.
    public init(secp256k1PublicKey key: [UInt8]) throws(ParseError) {
        guard let compressed = Secp256k1.compress(key) else {
            throw ParseError(part: Hex.encode(key), reason: "not a secp256k1 public key")
        }
        self.init(publicKey: LibP2PPublicKey(type: .secp256k1, data: compressed))
    }

    /// The peer id of a 32-byte ed25519 key (`12D3KooW...`).
    public init(ed25519PublicKey key: [UInt8]) throws(ParseError) {
        guard key.count == 32 else {
            throw ParseError(part: Hex.encode(key), reason: "an ed25519 key has 32 bytes, not \(key.count)")
        }
        self.init(publicKey: LibP2PPublicKey(type: .ed25519, data: key))
    }

    /// The public key inlined in an identity multihash; nil for hashed (`Qm...`) peer ids.
    public var publicKey: LibP2PPublicKey? {
        guard multihash.count > 2, multihash[0] == 0x00 else { return nil }
        var offset = 1
        guard (try? Varint.read(multihash, at: &offset)) != nil else { return nil }
        return LibP2PPublicKey(protobufEncoded: Array(multihash[offset...]))
    }
}

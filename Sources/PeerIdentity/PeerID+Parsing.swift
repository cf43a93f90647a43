extension PeerID {
    /// Why text, bytes or a key do not give a peer id.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The offending input (text, or hex of bytes); past 80 bytes only its start and length.
        public var part: String
        public var reason: String

        public init(part: String, reason: String) {
            self.part = Excerpt.of(part)
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

    /// The longest multihash a peer id may be: an identity multihash (code and length, one byte
    /// each) around a protobuf key of at most ``maxInlineKeyLength`` bytes. sha2-256 ids are 34.
    public static let maxMultihashLength = 2 + maxInlineKeyLength

    /// The longest base58btc text of a peer id: log(256)/log(58) < 1.3657 characters per byte,
    /// so 44 bytes take at most 61 characters (leading zero bytes take one `1` each, fewer).
    public static let maxTextLength = maxMultihashLength * 13_657 / 10_000 + 1

    /// Parses base58btc text (`16Uiu2...`, `12D3KooW...`, `Qm...`) and validates the multihash.
    ///
    /// Text longer than ``maxTextLength`` is refused before decoding: base58 decoding is
    /// quadratic in the length, and no valid peer id is longer.
    ///
    /// - Throws: ``ParseError`` for overlong text, a character outside base58btc or a malformed
    ///   multihash.
    public init(_ text: String) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(part: text, reason: "empty") }
        let length = text.utf8.count
        guard length <= Self.maxTextLength else {
            throw ParseError(
                part: text, reason: "\(length) characters, a peer id has at most \(Self.maxTextLength)")
        }
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
        func refuse(_ reason: String) -> ParseError { ParseError(part: Excerpt.hex(bytes), reason: reason) }
        guard bytes.count <= Self.maxMultihashLength else {
            throw refuse("\(bytes.count) bytes, a peer id has at most \(Self.maxMultihashLength)")
        }
        var offset = 0
        guard let rawCode = try? Varint.read(bytes, at: &offset), let length = try? Varint.read(bytes, at: &offset)
        else { throw refuse("truncated multihash header") }
        guard length == UInt64(bytes.count - offset) else {
            throw refuse("multihash says \(length) digest bytes, has \(bytes.count - offset)")
        }
        switch MultihashCode(rawValue: rawCode) {
        case .identity:
            guard length <= UInt64(Self.maxInlineKeyLength),
                LibP2PPublicKey(protobufEncoded: Array(bytes[offset...])) != nil
            else { throw refuse("identity multihash does not hold a libp2p public key") }
        case .sha256:
            guard length == 32 else { throw refuse("sha2-256 digest of \(length) bytes") }
        case nil:
            throw refuse("unsupported multihash code 0x\(String(rawCode, radix: 16))")
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
            throw ParseError(part: Excerpt.hex(key), reason: "not a secp256k1 public key")
        }
        self.init(publicKey: LibP2PPublicKey(type: .secp256k1, data: compressed))
    }

    /// The peer id of a 32-byte ed25519 key (`12D3KooW...`).
    public init(ed25519PublicKey key: [UInt8]) throws(ParseError) {
        guard key.count == 32 else {
            throw ParseError(part: Excerpt.hex(key), reason: "an ed25519 key has 32 bytes, not \(key.count)")
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

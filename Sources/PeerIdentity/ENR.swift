/// An Ethereum Node Record (EIP-778) with the Waku fields (RFC 31 WAKU2-ENR, RFC 51 sharding).
///
/// Construction validates strictly: at most 300 bytes, canonical RLP, keys sorted and unique,
/// identity scheme `v4`, a compressed secp256k1 key, and a low-S secp256k1 signature over
/// `keccak256(rlp([seq, k, v, ...]))`. Malformed values of the standard fields (`ip`, `tcp`, ...)
/// are refused; malformed Waku fields read as absent, as in nwaku.
///
/// ```swift
/// let enr = try ENR("enr:-QESuED0...")
/// enr.peerID                                   // 16Uiu2HAm...
/// enr.dialAddresses                            // [/ip4/.../tcp/.../p2p/16Uiu2HAm..., ...]
/// enr.containsShard(topic: "/waku/2/rs/1/0")   // true
/// ```
public struct ENR: Hashable, Sendable, CustomStringConvertible {
    /// EIP-778's size limit for the RLP record.
    public static let maxSize = 300

    /// One key/value pair of the record.
    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: RLP.Item

        public init(key: String, value: RLP.Item) {
            self.key = key
            self.value = value
        }

        public init(key: String, bytes: [UInt8]) {
            self.init(key: key, value: .bytes(bytes))
        }
    }

    /// The record's RLP bytes, exactly as received.
    public let rlp: [UInt8]
    /// The 64-byte `r || s` signature.
    public let signature: [UInt8]
    /// The sequence number; a higher one replaces an older record of the same node.
    public let seq: UInt64
    /// All pairs, in key order (including `id` and `secp256k1`).
    public let entries: [Entry]
    /// The 33-byte compressed secp256k1 public key.
    public let publicKey: [UInt8]
    /// keccak256 of the 64-byte uncompressed public key (without the `04` prefix).
    public let nodeID: [UInt8]
    /// The libp2p peer id of ``publicKey`` (`16Uiu2...`).
    public let peerID: PeerID

    public let ip: IPv4Address?
    public let tcp: UInt16?
    public let udp: UInt16?
    public let ip6: IPv6Address?
    public let tcp6: UInt16?
    public let udp6: UInt16?
    /// The `waku2` capability bits; nil when absent or not exactly one byte.
    public let waku2: WakuCapabilities?
    /// The `rs` field (shard index list); nil when absent or malformed.
    public let rs: RelayShards?
    /// The `rsv` field (shard bit vector); nil when absent or malformed.
    public let rsv: RelayShards?
    /// The `multiaddrs` field, without `/p2p`; empty when absent or malformed.
    public let multiaddrs: [Multiaddr]

    /// The identity scheme; always `v4` for a record that was accepted.
    public var id: String { "v4" }

    /// The value of `key`, if the record has it.
    public subscript(key: String) -> RLP.Item? {
        entries.first(where: { $0.key == key })?.value
    }

    /// Parses `enr:` followed by unpadded base64url.
    ///
    /// - Throws: ``ENRError`` (``ENRError/Kind/encoding`` for bad text, others as ``init(rlp:)``).
    public init(_ text: String) throws(ENRError) {
        guard text.hasPrefix("enr:") else {
            throw ENRError(kind: .encoding, part: "text", reason: "an ENR starts with 'enr:'")
        }
        let body = text.dropFirst(4)
        // Refuse oversize text before decoding it: 300 bytes are at most 400 characters.
        guard body.utf8.count <= (Self.maxSize * 4 + 2) / 3 else {
            throw ENRError(
                kind: .tooLarge, part: "text",
                reason: "\(body.utf8.count) characters encode more than \(Self.maxSize) bytes")
        }
        let bytes: [UInt8]
        do {
            bytes = try Base64URL.decode(body)
        } catch {
            let reason: String
            switch error {
            case .invalidCharacter(let offset, let character):
                reason =
                    character == "="
                    ? "padding '=' at offset \(offset) (ENR text is unpadded)"
                    : "character '\(character)' at offset \(offset) is not base64url"
            case .invalidLength(let count):
                reason = "\(count) base64url characters cannot encode whole bytes (truncated?)"
            case .nonCanonicalTail: reason = "non-zero unused bits in the last character"
            }
            throw ENRError(kind: .encoding, part: "base64url", reason: reason)
        }
        try self.init(rlp: bytes)
    }

    /// Decodes and verifies the RLP form.
    ///
    /// - Throws: ``ENRError`` naming the first rule the record breaks.
    public init(rlp bytes: [UInt8]) throws(ENRError) {
        guard bytes.count <= Self.maxSize else {
            throw ENRError(kind: .tooLarge, part: "size", reason: "\(bytes.count) bytes, max \(Self.maxSize)")
        }
        let elements: [(item: RLP.Item, span: Range<Int>)]
        do {
            elements = try RLP.decodeList(bytes)
        } catch {
            throw ENRError(kind: .rlp, part: "rlp", reason: error.description)
        }
        guard elements.count >= 2 else {
            throw ENRError(kind: .rlp, part: "rlp", reason: "a record needs a signature and a seq")
        }
        guard elements.count % 2 == 0 else {
            throw ENRError(kind: .rlp, part: "rlp", reason: "a key without a value")
        }
        guard let signature = elements[0].item.bytes else {
            throw ENRError(kind: .rlp, part: "signature", reason: "a list, not a byte string")
        }
        guard let seqBytes = elements[1].item.bytes else {
            throw ENRError(kind: .field, part: "seq", reason: "a list, not an integer")
        }
        let seq = try Self.integer(seqBytes, maxBytes: 8, part: "seq")

        var entries: [Entry] = []
        var previousKey: [UInt8]? = nil
        for index in stride(from: 2, to: elements.count, by: 2) {
            guard let key = elements[index].item.bytes else {
                throw ENRError(kind: .rlp, part: "key #\((index - 2) / 2)", reason: "a list, not a byte string")
            }
            let keyText = String(decoding: key, as: UTF8.self)
            if let previousKey {
                guard previousKey != key else {
                    throw ENRError(kind: .keyOrder, part: "key '\(keyText)'", reason: "appears twice")
                }
                guard previousKey.lexicographicallyPrecedes(key) else {
                    let previous = Excerpt.of(String(decoding: previousKey, as: UTF8.self))
                    throw ENRError(
                        kind: .keyOrder, part: "key '\(keyText)'",
                        reason: "comes after '\(previous)'; keys must be sorted")
                }
            }
            previousKey = key
            entries.append(Entry(key: keyText, value: elements[index + 1].item))
        }
        func value(_ key: String) -> RLP.Item? { entries.first(where: { $0.key == key })?.value }

        guard let scheme = value("id") else {
            throw ENRError(kind: .identityScheme, part: "id", reason: "missing")
        }
        guard scheme == .bytes(Array("v4".utf8)) else {
            throw ENRError(
                kind: .identityScheme, part: "id", reason: "unsupported scheme \(Excerpt.of(Self.show(scheme)))")
        }
        guard let keyItem = value("secp256k1") else {
            throw ENRError(kind: .publicKey, part: "secp256k1", reason: "missing")
        }
        guard let key = keyItem.bytes, key.count == 33, let uncompressed = Secp256k1.uncompress(key) else {
            throw ENRError(kind: .publicKey, part: "secp256k1", reason: "not a 33-byte compressed point on the curve")
        }
        guard signature.count == 64 else {
            throw ENRError(kind: .signature, part: "signature", reason: "\(signature.count) bytes, expected 64")
        }
        // The signed content is rlp([seq, k, v, ...]): the record's own element bytes under a new
        // list header, so nothing is re-encoded.
        let contentStart = elements[1].span.lowerBound
        let content = RLP.listHeader(payloadLength: bytes.count - contentStart) + bytes[contentStart...]
        guard Secp256k1.verify(signature: signature, digest: Keccak256.hash(content), publicKey: key) else {
            throw ENRError(
                kind: .signature, part: "signature",
                reason: "does not verify against the secp256k1 key (or has a high S)")
        }

        self.rlp = bytes
        self.signature = signature
        self.seq = seq
        self.entries = entries
        self.publicKey = key
        self.nodeID = Keccak256.hash(Array(uncompressed.dropFirst()))
        let peerID = PeerID(publicKey: LibP2PPublicKey(type: .secp256k1, data: key))
        self.peerID = peerID

        self.ip = try value("ip").map { item throws(ENRError) in
            guard let bytes = item.bytes, let address = IPv4Address(bytes: bytes) else {
                throw ENRError(kind: .field, part: "ip", reason: "not 4 bytes")
            }
            return address
        }
        self.ip6 = try value("ip6").map { item throws(ENRError) in
            guard let bytes = item.bytes, let address = IPv6Address(bytes: bytes) else {
                throw ENRError(kind: .field, part: "ip6", reason: "not 16 bytes")
            }
            return address
        }
        self.tcp = try Self.port(value("tcp"), part: "tcp")
        self.udp = try Self.port(value("udp"), part: "udp")
        self.tcp6 = try Self.port(value("tcp6"), part: "tcp6")
        self.udp6 = try Self.port(value("udp6"), part: "udp6")

        let waku2Bytes = value("waku2")?.bytes
        self.waku2 = waku2Bytes?.count == 1 ? WakuCapabilities(rawValue: waku2Bytes![0]) : nil
        self.rs = value("rs")?.bytes.flatMap { RelayShards(rs: $0) }
        self.rsv = value("rsv")?.bytes.flatMap { RelayShards(rsv: $0) }
        self.multiaddrs = value("multiaddrs")?.bytes.map { Self.decodeMultiaddrs($0, peerID: peerID) } ?? []
    }

    /// `enr:` followed by the unpadded base64url of ``rlp``.
    public var description: String { "enr:" + Base64URL.encode(rlp) }

    /// Records are equal when their bytes are.
    public static func == (lhs: ENR, rhs: ENR) -> Bool { lhs.rlp == rhs.rlp }

    public func hash(into hasher: inout Hasher) { hasher.combine(rlp) }

    // MARK: Field helpers

    /// A canonical RLP integer: big-endian without leading zeros, at most `maxBytes`.
    private static func integer(_ bytes: [UInt8], maxBytes: Int, part: String) throws(ENRError) -> UInt64 {
        guard bytes.count <= maxBytes else {
            throw ENRError(kind: .field, part: part, reason: "\(bytes.count)-byte integer, max \(maxBytes)")
        }
        guard bytes.first != 0 else { throw ENRError(kind: .field, part: part, reason: "integer with a leading zero") }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func port(_ item: RLP.Item?, part: String) throws(ENRError) -> UInt16? {
        guard let item else { return nil }
        guard let bytes = item.bytes else { throw ENRError(kind: .field, part: part, reason: "a list, not a port") }
        return UInt16(try integer(bytes, maxBytes: 2, part: part))
    }

    /// `len u16 BE | binary multiaddr`, repeated. As nwaku: a zero or overlong length voids the
    /// whole field; an entry that does not parse is skipped. A `/p2p` suffix naming another peer is
    /// skipped too; one naming this peer is dropped (the field is stored without it).
    static func decodeMultiaddrs(_ bytes: [UInt8], peerID: PeerID) -> [Multiaddr] {
        var out: [Multiaddr] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 2 <= bytes.count else { return [] }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard length > 0, offset + length <= bytes.count else { return [] }
            defer { offset += length }
            guard let address = try? Multiaddr(bytes: Array(bytes[offset..<(offset + length)])) else { continue }
            if let id = address.peerID, id != peerID { continue }
            out.append(address.withoutPeerID)
        }
        return out
    }

    static func show(_ item: RLP.Item) -> String {
        switch item {
        case .bytes(let bytes):
            if let text = String(validating: bytes, as: UTF8.self),
                text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f })
            {
                "'\(text)'"
            } else {
                "0x" + Hex.encode(bytes)
            }
        case .list(let items): "[" + items.map(show).joined(separator: ", ") + "]"
        }
    }
}

/// Why bytes or text are not a valid Ethereum Node Record.
public struct ENRError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The rule that was broken, for callers that branch on it (and for the test vectors' categories).
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Not `enr:` followed by unpadded base64url.
        case encoding
        /// Larger than the 300 bytes EIP-778 allows.
        case tooLarge
        /// Not one canonical RLP list of `[signature, seq, k, v, ...]`.
        case rlp
        /// Keys not sorted, or a key repeated.
        case keyOrder
        /// `id` missing or not `v4`.
        case identityScheme
        /// `secp256k1` missing or not a compressed point on the curve.
        case publicKey
        /// The signature does not verify (including high-S signatures).
        case signature
        /// A known field (seq, ip, tcp, ...) holds a malformed value.
        case field
    }

    public var kind: Kind
    /// The offending part: `text`, `size`, a key name, `signature`, ... (past 80 bytes only its
    /// start and length).
    public var part: String
    public var reason: String

    public init(kind: Kind, part: String, reason: String) {
        self.kind = kind
        self.part = Excerpt.of(part)
        self.reason = reason
    }

    public var description: String { "invalid ENR (\(kind.rawValue)) at \(part): \(reason)" }
}

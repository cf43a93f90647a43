internal import CSecp256k1

/// The few libsecp256k1 calls peerd needs, kept in one file so the unsafe pointer use stays small.
///
/// All functions take and return plain byte arrays; nothing here allocates outside a call.
enum Secp256k1 {
    /// One context for the process. It is created once and never mutated afterwards (no
    /// randomization), and libsecp256k1 documents such use of a const context as thread-safe.
    nonisolated(unsafe) private static let context: OpaquePointer = {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create failed")
        }
        return context
    }()

    /// Parses a 33-byte compressed or 65-byte uncompressed point.
    private static func parse(_ key: [UInt8]) -> secp256k1_pubkey? {
        guard key.count == 33 || key.count == 65 else { return nil }
        var pubkey = secp256k1_pubkey()
        let ok = key.withUnsafeBufferPointer { secp256k1_ec_pubkey_parse(context, &pubkey, $0.baseAddress!, $0.count) }
        return ok == 1 ? pubkey : nil
    }

    private static func serialize(_ pubkey: secp256k1_pubkey, compressed: Bool) -> [UInt8] {
        var pubkey = pubkey
        var out = [UInt8](repeating: 0, count: compressed ? 33 : 65)
        var length = out.count
        let flags = UInt32(compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED)
        _ = out.withUnsafeMutableBufferPointer {
            secp256k1_ec_pubkey_serialize(context, $0.baseAddress!, &length, &pubkey, flags)
        }
        return out
    }

    /// The 33-byte compressed form of a valid point; nil if `key` is not a point on the curve.
    static func compress(_ key: [UInt8]) -> [UInt8]? {
        parse(key).map { serialize($0, compressed: true) }
    }

    /// The 65-byte uncompressed form (`04 || x || y`) of a valid point.
    static func uncompress(_ key: [UInt8]) -> [UInt8]? {
        parse(key).map { serialize($0, compressed: false) }
    }

    /// Verifies a 64-byte `r || s` signature over a 32-byte digest.
    ///
    /// `secp256k1_ecdsa_verify` refuses high-S signatures (s > n/2), which is the malleability
    /// rule go-ethereum applies to ENRs; the signature is deliberately not normalized first.
    static func verify(signature: [UInt8], digest: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, digest.count == 32, var pubkey = parse(publicKey) else { return false }
        var parsed = secp256k1_ecdsa_signature()
        guard
            signature.withUnsafeBufferPointer({
                secp256k1_ecdsa_signature_parse_compact(context, &parsed, $0.baseAddress!)
            }) == 1
        else { return false }
        return digest.withUnsafeBufferPointer { secp256k1_ecdsa_verify(context, &parsed, $0.baseAddress!, &pubkey) }
            == 1
    }

    /// The compressed public key of a 32-byte secret key; nil for an invalid secret.
    static func publicKey(secretKey: [UInt8]) -> [UInt8]? {
        guard secretKey.count == 32 else { return nil }
        var pubkey = secp256k1_pubkey()
        guard secretKey.withUnsafeBufferPointer({ secp256k1_ec_pubkey_create(context, &pubkey, $0.baseAddress!) }) == 1
        else { return nil }
        return serialize(pubkey, compressed: true)
    }

    /// Signs a 32-byte digest (RFC 6979 nonce, low-S), returning `r || s`.
    static func sign(digest: [UInt8], secretKey: [UInt8]) -> [UInt8]? {
        guard digest.count == 32, secretKey.count == 32 else { return nil }
        var signature = secp256k1_ecdsa_signature()
        let ok = digest.withUnsafeBufferPointer { digestBuffer in
            secretKey.withUnsafeBufferPointer { keyBuffer in
                secp256k1_ecdsa_sign(context, &signature, digestBuffer.baseAddress!, keyBuffer.baseAddress!, nil, nil)
            }
        }
        guard ok == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: 64)
        _ = out.withUnsafeMutableBufferPointer {
            secp256k1_ecdsa_signature_serialize_compact(context, $0.baseAddress!, &signature)
        }
        return out
    }
}

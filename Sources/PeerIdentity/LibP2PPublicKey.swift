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

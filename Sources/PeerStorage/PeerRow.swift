import PeerCore
import PeerIdentity

/// peerd's row format: one peer's books as protobuf fields (the peer id is the row's key).
///
/// Every field of ``PeerRecord`` is kept, so nothing a policy depends on is lost across a
/// restart (nwaku's `storedInfo` keeps 7 of them). Numbers are never reused: a field added later
/// is read as absent from an older row, and an unknown field from a newer peerd is skipped.
public enum PeerRow {
    /// The largest row read back: the engine's per-peer limits keep real rows far smaller, and a
    /// row past this size is damage, not a peer.
    public static let maxBytes = 1 << 20

    enum Field: UInt64 {
        case address = 1, proto, publicKey, agent, protocolVersion
        case enrText, enrSequence, enrCluster, enrShard, enrCapabilities
        case origin, connectedness, direction, disconnectTime, failedAttempts, lastFailedAttempt
        case metadataCluster, metadataShard
    }

    public static func encode(_ record: PeerRecord) -> [UInt8] {
        var writer = ProtoWriter()
        for address in record.addresses { writer.bytes(Field.address.rawValue, address.bytes) }
        for proto in record.protocols { writer.string(Field.proto.rawValue, proto) }
        if let key = record.publicKey { writer.bytes(Field.publicKey.rawValue, key) }
        if let agent = record.agent { writer.string(Field.agent.rawValue, agent) }
        if let version = record.protocolVersion { writer.string(Field.protocolVersion.rawValue, version) }
        if let enr = record.enr {
            writer.string(Field.enrText.rawValue, enr.text)
            writer.uint(Field.enrSequence.rawValue, enr.sequence)
            if let shards = enr.relayShards {
                writer.uint(Field.enrCluster.rawValue, UInt64(shards.clusterID))
                for shard in shards.shardIDs { writer.uint(Field.enrShard.rawValue, UInt64(shard)) }
            }
            writer.uint(Field.enrCapabilities.rawValue, UInt64(enr.capabilities.rawValue))
        }
        writer.uint(Field.origin.rawValue, UInt64(record.origin.rawValue))
        writer.uint(Field.connectedness.rawValue, UInt64(record.connectedness.rawValue))
        writer.uint(Field.direction.rawValue, UInt64(record.direction.rawValue))
        if let time = record.disconnectTime { writer.int(Field.disconnectTime.rawValue, time.nanosecondsSinceEpoch) }
        if record.failedAttempts != 0 { writer.uint(Field.failedAttempts.rawValue, UInt64(record.failedAttempts)) }
        if let time = record.lastFailedAttempt {
            writer.int(Field.lastFailedAttempt.rawValue, time.nanosecondsSinceEpoch)
        }
        if let shards = record.metadataShards {
            writer.uint(Field.metadataCluster.rawValue, UInt64(shards.clusterID))
            for shard in shards.shardIDs { writer.uint(Field.metadataShard.rawValue, UInt64(shard)) }
        }
        return writer.bytes
    }

    /// Reads a row back; any damage (a bad multiaddr, an out-of-range enum, a truncated field)
    /// throws, so the caller skips the row and counts it.
    public static func decode(id: PeerID, _ bytes: [UInt8]) throws(RowDecodingError) -> PeerRecord {
        try withBytes(bytes) { (buffer) throws(RowDecodingError) in try decode(id: id, buffer) }
    }

    /// Reads a row from borrowed bytes (SQLite's own buffer while the row is current).
    public static func decode(id: PeerID, _ bytes: UnsafeRawBufferPointer) throws(RowDecodingError) -> PeerRecord {
        guard bytes.count <= maxBytes else { throw RowDecodingError("row of \(bytes.count) bytes") }
        var record = PeerRecord(id: id)
        var enrText: String?
        var enrSequence: UInt64 = 0
        var enrCluster: UInt16?
        var enrShards: [UInt16] = []
        var capabilities: UInt8 = 0
        var metadataCluster: UInt16?
        var metadataShards: [UInt16] = []
        var reader = ProtoReader(bytes)
        while let (number, value) = try reader.next() {
            guard let field = Field(rawValue: number) else { continue }
            switch field {
            case .address:
                do { record.addresses.append(try Multiaddr(bytes: try value.bytes(number))) } catch let error {
                    throw RowDecodingError("address: \(error)")
                }
            case .proto: record.protocols.append(try value.string(number))
            case .publicKey: record.publicKey = try value.bytes(number)
            case .agent: record.agent = try value.string(number)
            case .protocolVersion: record.protocolVersion = try value.string(number)
            case .enrText: enrText = try value.string(number)
            case .enrSequence: enrSequence = try value.varint(number)
            case .enrCluster: enrCluster = try narrow(value.varint(number), number)
            case .enrShard: enrShards.append(try narrow(value.varint(number), number))
            case .enrCapabilities: capabilities = try narrow(value.varint(number), number)
            case .origin: record.origin = try enumValue(value.varint(number), number)
            case .connectedness: record.connectedness = try enumValue(value.varint(number), number)
            case .direction: record.direction = try enumValue(value.varint(number), number)
            case .disconnectTime:
                record.disconnectTime = EngineTime(nanosecondsSinceEpoch: Int64(bitPattern: try value.varint(number)))
            case .failedAttempts:
                record.failedAttempts = try narrow(value.varint(number), number)
            case .lastFailedAttempt:
                record.lastFailedAttempt = EngineTime(
                    nanosecondsSinceEpoch: Int64(bitPattern: try value.varint(number)))
            case .metadataCluster: metadataCluster = try narrow(value.varint(number), number)
            case .metadataShard: metadataShards.append(try narrow(value.varint(number), number))
            }
        }
        if let enrText {
            record.enr = PeerENRInfo(
                sequence: enrSequence, text: enrText,
                relayShards: enrCluster.map { RelayShards(clusterID: $0, shardIDs: enrShards) },
                capabilities: WakuCapabilities(rawValue: capabilities))
        }
        record.metadataShards = metadataCluster.map { RelayShards(clusterID: $0, shardIDs: metadataShards) }
        return record
    }

    private static func narrow<T: FixedWidthInteger>(_ value: UInt64, _ field: UInt64) throws(RowDecodingError) -> T {
        guard let narrowed = T(exactly: value) else { throw RowDecodingError("field \(field) out of range: \(value)") }
        return narrowed
    }

    private static func enumValue<T: RawRepresentable>(_ value: UInt64, _ field: UInt64) throws(RowDecodingError) -> T
    where T.RawValue == UInt8 {
        guard let raw = UInt8(exactly: value), let known = T(rawValue: raw) else {
            throw RowDecodingError("field \(field): unknown value \(value)")
        }
        return known
    }
}

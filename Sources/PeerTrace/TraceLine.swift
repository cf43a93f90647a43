/// One JSON line as fields: every field any record kind uses, absent when unused.
///
/// The record kinds map to and from this flat shape (TraceLine+Records.swift), so the JSON stays
/// flat and readable with `jq`, and decoding is one pass of `JSONDecoder` over a bounded line.
struct TraceLine: Codable, Hashable {
    // Header.
    var trace: String?
    var version: Int?
    var started: String?
    var selfID: String?
    var maxConnections: Int?
    // Every record.
    var tMs: Int64?
    var kind: String?
    // Events.
    var event: String?
    var connection: UInt64?
    var peer: String?
    var direction: String?
    var observedAddress: String?
    var `protocol`: String?
    var protocols: [String]?
    var agent: String?
    var protocolVersion: String?
    var publicKey: String?
    var listenAddresses: [String]?
    var metadata: MetadataFields?
    var id: UInt64?
    var outcome: String?
    var reason: String?
    var online: Bool?
    // Peers added.
    var addresses: [String]?
    var enr: String?
    var origin: String?
    // Commands.
    var command: String?
    var timeoutMs: Int64?
    var cluster: UInt16?
    var shard: UInt16?
    var shards: [UInt16]?
    var wanted: Int?
    // Sessions and gaps.
    var session: String?
    var takeOver: Bool?
    var dropped: UInt64?

    /// A metadata answer: `cluster`/`shards` when received, `failed` with the reason otherwise.
    struct MetadataFields: Codable, Hashable {
        var cluster: UInt16?
        var shards: [UInt16]?
        var failed: String?
    }

    enum CodingKeys: String, CodingKey {
        case trace, version, started, selfID = "self", maxConnections = "max_connections"
        case tMs = "t_ms", kind, event, connection, peer, direction
        case observedAddress = "observed_address", `protocol`, protocols, agent
        case protocolVersion = "protocol_version", publicKey = "public_key"
        case listenAddresses = "listen_addresses", metadata, id, outcome, reason, online
        case addresses, enr, origin, command, timeoutMs = "timeout_ms", cluster, shard, shards, wanted
        case session, takeOver = "take_over", dropped
    }
}

import PeerCore
import PeerIdentity
import Testing

@testable import PeerStorage

@Suite("peerd's row format")
struct PeerRowTests {
    @Test("every field of a record survives encode and decode")
    func roundTripEveryField() throws {
        let record = fullRecord(42)
        let decoded = try PeerRow.decode(id: record.id, PeerRow.encode(record))
        #expect(decoded == record)
    }

    @Test("a record with only its defaults round-trips (absent stays absent)")
    func roundTripDefaults() throws {
        let record = PeerRecord(id: peer(1))
        #expect(try PeerRow.decode(id: record.id, PeerRow.encode(record)) == record)
    }

    @Test("times before the epoch and an ENR without shards round-trip")
    func roundTripEdges() throws {
        var record = PeerRecord(id: peer(2))
        record.disconnectTime = EngineTime(nanosecondsSinceEpoch: -5)
        record.lastFailedAttempt = EngineTime(nanosecondsSinceEpoch: .max)
        record.enr = PeerENRInfo(sequence: .max, text: "enr:-x")
        record.metadataShards = RelayShards(clusterID: 0, shardIDs: [])
        #expect(try PeerRow.decode(id: record.id, PeerRow.encode(record)) == record)
    }

    @Test("an unknown field (a newer peerd's) is skipped")
    func unknownFieldSkipped() throws {
        var writer = ProtoWriter()
        writer.string(99, "from the future")
        let bytes = PeerRow.encode(fullRecord(3)) + writer.bytes
        #expect(try PeerRow.decode(id: peer(3), bytes) == fullRecord(3))
    }

    /// Damaged rows, each refused with an error (never a trap).
    static let damaged: [(String, [UInt8])] = [
        ("truncated varint", [0x58, 0x80]),
        ("length past the end", [0x0A, 0x05, 0x04]),
        ("bad multiaddr", [0x0A, 0x02, 0xFF, 0xFF]),
        ("origin out of range", [0x58, 0x09]),
        ("connectedness out of range", [0x60, 0x04]),
        ("cluster over 16 bits", [0x40, 0x80, 0x80, 0x04]),
        ("protocol not UTF-8", [0x12, 0x02, 0xC3, 0x28]),
        ("wire type 3", [0x0B]),
        ("eleven-byte varint", [0x58] + [UInt8](repeating: 0xFF, count: 10) + [0x01]),
        ("field number 0", [0x00, 0x01]),
        ("agent given as a varint", [0x20, 0x01]),
    ]

    @Test("a damaged row is refused", arguments: damaged)
    func damagedRowRefused(name: String, bytes: [UInt8]) {
        #expect(throws: RowDecodingError.self, "\(name)") { try PeerRow.decode(id: peer(1), bytes) }
    }
}

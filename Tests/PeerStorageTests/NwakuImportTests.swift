import Foundation
import GRDB
import PeerCore
import PeerIdentity
import PeerStorage
import Testing

@Suite("Importing an nwaku peers.db")
struct NwakuImportTests {
    /// nwaku's golden `storedInfo` (tests/node/peer_manager/peer_store/test_waku_peer_storage.nim):
    /// 16Uiu2HAmFccGe5iezmyRDQZuLPRP7FqpqXLjnocmMRk18pmTZs2j at /ip4/192.168.0.1/tcp/8080, an ECDSA
    /// key, no protocols, no ENR, connectedness 0, disconnect time 0.
    static let golden: [UInt8] = [
        10, 39, 0, 37, 8, 2, 18, 33, 3, 43, 246, 238, 219, 109, 147, 79, 129, 40, 145,
        217, 209, 109, 105, 185, 186, 200, 180, 203, 72, 166, 220, 196, 232, 170, 74,
        141, 125, 255, 112, 238, 204, 18, 8, 4, 192, 168, 0, 1, 6, 31, 144, 34, 95, 8,
        3, 18, 91, 48, 89, 48, 19, 6, 7, 42, 134, 72, 206, 61, 2, 1, 6, 8, 42, 134,
        72, 206, 61, 3, 1, 7, 3, 66, 0, 4, 222, 61, 48, 15, 163, 106, 224, 232, 245,
        213, 48, 137, 157, 131, 171, 171, 68, 171, 243, 22, 31, 22, 42, 75, 201, 1,
        216, 230, 236, 218, 2, 14, 139, 109, 95, 141, 163, 5, 37, 231, 29, 104, 81,
        81, 12, 9, 142, 92, 71, 198, 70, 165, 151, 251, 77, 206, 192, 52, 233, 247,
        124, 64, 158, 98, 40, 0, 48, 0,
    ]

    /// A real SQLite file with nwaku's exact schema (migration 00001 plus WakuPeerStorage.new).
    static func nwakuFile(in directory: String, rows: [(key: [UInt8], info: [UInt8]?)]) throws -> String {
        let path = "\(directory)/nwaku-peers.db"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS Peer (peerId BLOB PRIMARY KEY, storedInfo BLOB,
                        connectedness INTEGER, disconnectTime INTEGER) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS Peer (peerId BLOB PRIMARY KEY, storedInfo BLOB) WITHOUT ROWID;
                    PRAGMA user_version = 1;
                    """)
            for row in rows {
                try db.execute(
                    sql: "REPLACE INTO Peer (peerId, storedInfo) VALUES (?, ?)",
                    arguments: [Data(row.key), row.info.map { Data($0) }])
            }
        }
        return path
    }

    @Test("the golden record decodes to the peer nwaku stored")
    func goldenDecoded() throws {
        let record = try NwakuPeerImport.decode(storedInfo: Self.golden)
        #expect(record.id == (try PeerID("16Uiu2HAmFccGe5iezmyRDQZuLPRP7FqpqXLjnocmMRk18pmTZs2j")))
        #expect(record.addresses == [try Multiaddr("/ip4/192.168.0.1/tcp/8080")])
        #expect(record.protocols.isEmpty)
        #expect(record.enr == nil)
        #expect(record.connectedness == .notConnected)
        #expect(record.disconnectTime == nil)
        #expect(record.origin == .cache)
        // The stored ECDSA key is not the key of this secp256k1 peer id: not kept.
        #expect(record.publicKey == nil)
    }

    @Test("an nwaku file is read whole; undecodable rows are reported, not fatal")
    func fileImported() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let goldenID = try PeerID("16Uiu2HAmFccGe5iezmyRDQZuLPRP7FqpqXLjnocmMRk18pmTZs2j")
        var writer = [UInt8]()
        // A second peer: sha2-256 id, two addresses, a protocol, CannotConnect, a disconnect time.
        let other = peer(7)
        writer += [0x0A, UInt8(other.multihash.count)] + other.multihash
        for text in ["/ip4/10.1.2.3/tcp/60000", "/dns4/a.example/tcp/443/wss"] {
            let bytes = try Multiaddr(text).bytes
            writer += [0x12, UInt8(bytes.count)] + bytes
        }
        writer += [0x1A, UInt8(WakuCodec.relay.utf8.count)] + Array(WakuCodec.relay.utf8)
        writer += [0x28, 0x01, 0x30, 0xE8, 0x07]  // CannotConnect, disconnected at 1000 s
        let path = try Self.nwakuFile(
            in: directory,
            rows: [
                (goldenID.multihash, Self.golden), (other.multihash, writer),
                ([1, 2], [0x0A, 0x03, 0x00]), ([3], nil), ([4], [0x12, 0x02, 0xFF, 0xFF] + [0x0A, 0x00]),
            ])
        let result = try NwakuPeerImport.read(path: path)
        #expect(result.skipped == 3)
        #expect(Set(result.peers.map(\.id)) == [goldenID, other])
        let second = try #require(result.peers.first { $0.id == other })
        #expect(second.addresses.map(\.description) == ["/ip4/10.1.2.3/tcp/60000", "/dns4/a.example/tcp/443/wss"])
        #expect(second.protocols == [WakuCodec.relay])
        #expect(second.connectedness == .cannotConnect)
        #expect(second.disconnectTime == .seconds(1000))
    }

    @Test("a missing file or one without nwaku's table is an error, not an empty import")
    func notAnNwakuFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["missing.db", "empty.db"] {
            if name == "empty.db" {
                try DatabaseQueue(path: "\(directory)/empty.db").write { try $0.execute(sql: "CREATE TABLE t (x)") }
            }
            #expect {
                _ = try NwakuPeerImport.read(path: "\(directory)/\(name)")
            } throws: { error in
                (error as? PeerStorageError)?.kind == .importFailed && "\(error)".contains("--import-nwaku-db")
            }
        }
    }
}

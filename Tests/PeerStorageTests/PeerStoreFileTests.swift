import Foundation
import GRDB
import PeerCore
import PeerIdentity
import Synchronization
import Testing

@testable import PeerStorage

@Suite("The peer store file")
struct PeerStoreFileTests {
    @Test("written records load back whole, with service slots in order")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/state/peerd/peers.db"
        let records = (1...50).map(fullRecord)
        do {
            let (store, movedAside) = try PeerStoreFile.open(path: path)
            #expect(movedAside == nil)
            try store.write(
                .init(
                    upserts: records,
                    serviceSlots: [(WakuCodec.store, [peer(3), peer(1)]), (WakuCodec.lightpush, [peer(2)])]),
                now: at(0))
        }
        let (reopened, _) = try PeerStoreFile.open(path: path)
        let loaded = try reopened.load(now: at(60), expiry: .seconds(3600))
        #expect(loaded.skipped == 0)
        #expect(loaded.expired == 0)
        #expect(loaded.snapshot.peers.sorted { $0.id < $1.id } == records.sorted { $0.id < $1.id })
        #expect(loaded.serviceSlots.map(\.protocolID) == [WakuCodec.lightpush, WakuCodec.store, WakuCodec.store])
        #expect(loaded.serviceSlots.map(\.peer) == [peer(2), peer(3), peer(1)])
    }

    @Test("the directory is created 0700 and the file 0600, in WAL mode")
    func modes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peerd/peers.db"
        let (store, _) = try PeerStoreFile.open(path: path)
        try store.write(.init(upserts: [fullRecord(1)]), now: at(0))
        let directoryMode = try FileManager.default.attributesOfItem(atPath: "\(directory)/peerd")[.posixPermissions]
        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]
        #expect(directoryMode as? Int == 0o700)
        #expect(fileMode as? Int == 0o600)
        let mode = try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test("the schema's migrations are recorded; reopening applies nothing twice")
    func migrationsRecorded() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        _ = try PeerStoreFile.open(path: path)
        _ = try PeerStoreFile.open(path: path)
        let applied = try DatabaseQueue(path: path).read {
            try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied == ["v1: peer, service_slot"])
    }

    @Test("a file migrated by a newer peerd is refused, not altered")
    func newerSchemaRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        _ = try PeerStoreFile.open(path: path)
        try DatabaseQueue(path: path).write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2: from the future')")
        }
        #expect {
            _ = try PeerStoreFile.open(path: path)
        } throws: { error in
            (error as? PeerStorageError)?.kind == .unreadable
                && "\(error)".contains("newer peerd") && "\(error)".contains("--peer-store-reset")
        }
    }

    @Test("a row that cannot be decoded is skipped and counted; the others load")
    func badRowsSkipped() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        let (store, _) = try PeerStoreFile.open(path: path)
        try store.write(.init(upserts: [fullRecord(1), fullRecord(2)]), now: at(0))
        try DatabaseQueue(path: path).write { db in
            // A damaged record, a peer id that is no multihash, and a NULL-free text record.
            try db.execute(
                sql: "INSERT INTO peer (peer_id, record, stored_at, connected) VALUES (?, ?, ?, 1)",
                arguments: [Data(peer(3).multihash), Data([0x0A, 0x09, 0x04]), at(0).secondsSinceEpoch])
            try db.execute(
                sql: "INSERT INTO peer (peer_id, record, stored_at, connected) VALUES (?, ?, ?, 1)",
                arguments: [Data([0x99, 0x01, 0x00]), Data(), at(0).secondsSinceEpoch])
            try db.execute(
                sql: "INSERT INTO peer (peer_id, record, stored_at, connected) VALUES (?, 'text', ?, 1)",
                arguments: [Data(peer(4).multihash), at(0).secondsSinceEpoch])
        }
        let loaded = try store.load(now: at(1), expiry: .seconds(3600))
        #expect(loaded.skipped == 3)
        #expect(loaded.skippedReasons.count == 3)
        #expect(Set(loaded.snapshot.peers.map(\.id)) == [peer(1), peer(2)])
    }

    @Test("never-connected peers older than the expiry go; connected ones and young ones stay")
    func expiry() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (store, _) = try PeerStoreFile.open(path: "\(directory)/peers.db")
        let old = PeerRecord(id: peer(1), addresses: fullRecord(1).addresses)
        var connected = PeerRecord(id: peer(2))
        connected.disconnectTime = at(5)
        try store.write(.init(upserts: [old, connected], serviceSlots: [(WakuCodec.store, [peer(1)])]), now: at(0))
        // A later write of the old peer keeps its first-stored time.
        try store.write(.init(upserts: [old]), now: at(3000))
        let young = PeerRecord(id: peer(3))
        try store.write(.init(upserts: [young]), now: at(3000))
        // Connected once, now written as never connected: it was connected, it stays.
        try store.write(.init(upserts: [PeerRecord(id: peer(2))]), now: at(3000))
        let loaded = try store.load(now: at(4000), expiry: .seconds(3600))
        #expect(loaded.expired == 1)
        #expect(Set(loaded.snapshot.peers.map(\.id)) == [peer(2), peer(3)])
        #expect(loaded.serviceSlots.isEmpty)
        #expect(try store.count() == 2)
    }

    @Test("the running expiry pass reads only never-connected peers first stored before the cutoff")
    func neverConnectedCandidates() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (store, _) = try PeerStoreFile.open(path: "\(directory)/peers.db")
        var connected = PeerRecord(id: peer(2))
        connected.disconnectTime = at(5)
        try await store.write(.init(upserts: [PeerRecord(id: peer(1)), connected]), now: at(0))
        try await store.write(.init(upserts: [PeerRecord(id: peer(3))]), now: at(3000))
        let none = try await store.neverConnected(storedBefore: at(0))
        let old = try await store.neverConnected(storedBefore: at(1))
        let both = try await store.neverConnected(storedBefore: at(3001))
        #expect(none.isEmpty)
        #expect(old == [peer(1)])
        #expect(Set(both) == [peer(1), peer(3)])
        // It only reads: the caller deletes.
        #expect(try store.count() == 3)
    }

    @Test(
        "ever connected: connected, CanConnect or a disconnect time",
        arguments: [
            (Connectedness.notConnected, false, false), (.cannotConnect, false, false), (.connected, false, true),
            (.canConnect, false, true), (.notConnected, true, true), (.cannotConnect, true, true),
        ])
    func everConnected(connectedness: Connectedness, disconnected: Bool, expected: Bool) {
        var record = PeerRecord(id: peer(1))
        record.connectedness = connectedness
        record.disconnectTime = disconnected ? at(0) : nil
        #expect(PeerStoreFile.everConnected(record) == expected)
    }

    @Test("deleted peers leave the file with their service slots")
    func deletion() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (store, _) = try PeerStoreFile.open(path: "\(directory)/peers.db")
        try store.write(
            .init(upserts: (1...3).map(fullRecord), serviceSlots: [(WakuCodec.store, [peer(1), peer(2)])]), now: at(0))
        try store.write(.init(deletes: [peer(1), peer(9)]), now: at(1))
        let loaded = try store.load(now: at(2), expiry: .seconds(3600))
        #expect(Set(loaded.snapshot.peers.map(\.id)) == [peer(2), peer(3)])
        #expect(loaded.serviceSlots.map(\.peer) == [peer(2)])
    }

    @Test("a corrupt file stops the open with what to do; reset moves it aside and starts empty")
    func corruptFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try PeerStoreFile.open(path: path)
        } throws: { error in
            (error as? PeerStorageError)?.kind == .unreadable && "\(error)".contains("--peer-store-reset")
        }
        // Refused without touching it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)

        let (store, movedAside) = try PeerStoreFile.open(path: path, reset: true)
        let aside = try #require(movedAside)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside)) == garbage)
        #expect(try store.count() == 0)
        try store.write(.init(upserts: [fullRecord(1)]), now: at(0))
        #expect(try store.count() == 1)
    }

    @Test("a file in a directory that cannot be created is reported as unavailable")
    func unavailable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("a file".utf8).write(to: URL(fileURLWithPath: "\(directory)/blocker"))
        #expect {
            _ = try PeerStoreFile.open(path: "\(directory)/blocker/peers.db")
        } throws: { error in
            (error as? PeerStorageError)?.kind == .unavailable
        }
    }
}

/// Write failures, made by SQLite itself: a temporary trigger on the file's own connection aborts
/// every insert, as a full disk would abort the transaction.
@Suite("The peer store file when a write fails")
struct PeerStoreFileFailureTests {
    final class Flag: Sendable {
        let calls = Mutex(0)
    }

    @Test("a failed transaction restores what it took, on the queue, and stores nothing; the next one works")
    func failedWriteRestores() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (store, _) = try PeerStoreFile.open(path: "\(directory)/peers.db")
        try await store.queue.write { db in
            try db.execute(
                sql: "CREATE TEMP TRIGGER refuse BEFORE INSERT ON peer BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        let restored = Flag()
        await #expect {
            try await store.write(
                now: at(0), taking: { .init(upserts: [fullRecord(1)], deletes: [peer(2)]) },
                restoringOnFailure: { restored.calls.withLock { $0 += 1 } })
        } throws: { error in
            (error as? PeerStorageError)?.kind == .writeFailed && "\(error)".contains("refused")
        }
        #expect(restored.calls.withLock { $0 } == 1)
        #expect(try store.count() == 0)

        try await store.queue.write { db in try db.execute(sql: "DROP TRIGGER temp.refuse") }
        try await store.write(
            now: at(1), taking: { .init(upserts: [fullRecord(1)]) },
            restoringOnFailure: { restored.calls.withLock { $0 += 1 } })
        #expect(restored.calls.withLock { $0 } == 1)
        #expect(try store.count() == 1)
    }
}

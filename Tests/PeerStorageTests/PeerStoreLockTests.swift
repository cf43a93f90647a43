import Foundation
import GRDB
import Testing

@testable import PeerStorage

@Suite("The peer store lock")
struct PeerStoreLockTests {
    @Test("a second exclusive open is refused, naming the holder's pid and --peer-store-path; readers still read")
    func secondOpenRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        let (first, _) = try PeerStoreFile.open(path: path, exclusive: true)
        try first.write(.init(upserts: [fullRecord(1)]), now: at(0))
        // flock locks an open file description, so a second open in this process conflicts as a
        // second process would.
        #expect {
            _ = try PeerStoreFile.open(path: path, exclusive: true)
        } throws: { error in
            let text = "\(error)"
            return (error as? PeerStorageError)?.kind == .locked && text.contains("pid \(getpid())")
                && text.contains("--peer-store-path")
        }
        // Neither a reset: a file in use is never moved aside.
        #expect(throws: PeerStorageError.self) { _ = try PeerStoreFile.open(path: path, reset: true, exclusive: true) }
        #expect(try PeerStoreFile.open(path: path).store.count() == 1)
        #expect(try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM peer") } == 1)
    }

    @Test("the lock goes with its store: the next exclusive open succeeds")
    func releasedWithStore() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        do {
            let (first, _) = try PeerStoreFile.open(path: path, exclusive: true)
            try first.write(.init(upserts: [fullRecord(1)]), now: at(0))
        }
        let (second, _) = try PeerStoreFile.open(path: path, exclusive: true)
        #expect(try second.count() == 1)
        let holder = try String(contentsOfFile: "\(path).lock", encoding: .utf8)
        #expect(holder == "\(getpid())\n")
    }
}

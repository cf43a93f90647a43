import Foundation
import GRDB
import PeerCore
import PeerIdentity
import PeerStorage
import PeerTestSupport
import PeerWire
import Testing

/// The peer store file with the real binary: kill -9, a corrupt file, a failing disk, an nwaku
/// import (issue 12, "How we will know").
@Suite("Persistence with the peerd process", .serialized)
struct PersistenceProcessTests {
    /// Every peer peerd holds, paging through ListPeers.
    static func allPeers(_ admin: PeerManagerClient) throws -> [String: PeerManagerV1.Peer] {
        var peers: [String: PeerManagerV1.Peer] = [:]
        var token = ""
        repeat {
            let page: PeerManagerV1.ListPeersResponse = try admin.call(
                "ListPeers", PeerManagerV1.ListPeersRequest(pageSize: 1000, pageToken: token))
            for peer in page.peers { peers[peer.peerID] = peer }
            token = page.nextPageToken
        } while !token.isEmpty
        return peers
    }

    static func addPeer(_ admin: PeerManagerClient, _ n: Int) throws {
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n)), origin: .discv5))
    }

    @Test("1000 peers added, kill -9 right after the last reply, restart: every peer is back with its books")
    func killNineLosesNothing() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ["--peer-store-path", "\(directory)/peers.db", "--peer-store-capacity", "5000"]
        do {
            let peerd = try PeerdProcess(arguments: store)
            let admin = try PeerManagerClient(socketPath: peerd.socketPath)
            for n in 1...1000 { try Self.addPeer(admin, n) }
            peerd.stop(signal: SIGKILL)
        }
        let restarted = try PeerdProcess(arguments: store)
        let peers = try Self.allPeers(try PeerManagerClient(socketPath: restarted.socketPath))
        #expect(peers.count == 1000)
        for n in 1...1000 {
            guard let peer = peers[TestPeers.id(n)] else {
                Issue.record("peer \(n) lost")
                continue
            }
            #expect(peer.addresses == TestPeers.peer(n).addresses)
            #expect(peer.protocols == ["/vac/waku/relay/2.0.0"])
            #expect(peer.origin == .cache)
        }
        try waitFor(restarted) { restarted.log().contains("peer store loaded") }
        #expect(restarted.log().contains("\"store.peers\": \"1000\"") || restarted.log().contains("store.peers=1000"))
    }

    @Test("a row that cannot be decoded is skipped, logged and counted as storage_load_failure; the rest loads")
    func damagedRowSkipped() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        do {
            let peerd = try PeerdProcess(arguments: ["--peer-store-path", path])
            let admin = try PeerManagerClient(socketPath: peerd.socketPath)
            for n in 1...3 { try Self.addPeer(admin, n) }
            peerd.stop()
        }
        // Peer 2's row is damaged behind peerd's back.
        let id = try PeerID(TestPeers.id(2))
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: "UPDATE peer SET record = ? WHERE peer_id = ?",
                arguments: [Data([0x0A, 0x7F]), Data(id.multihash)])
        }
        let port = try PeerdProcess.freePort()
        let peerd = try PeerdProcess(arguments: ["--peer-store-path", path, "--metrics-address", "127.0.0.1:\(port)"])
        let peers = try Self.allPeers(try PeerManagerClient(socketPath: peerd.socketPath))
        #expect(Set(peers.keys) == [TestPeers.id(1), TestPeers.id(3)])
        #expect(peerd.log().contains("peer store rows skipped"))
        try waitFor(peerd) {
            let metrics = (try? PeerdProcess.httpGet(port: port, path: "/metrics").body) ?? ""
            return metrics.split(separator: "\n").contains("waku_peers_errors{type=\"storage_load_failure\"} 1")
        }
    }

    @Test("peers expired at start are counted in peerd_store_expired_peers_total; a young one loads")
    func expiryCounted() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        let now = EngineTime.seconds(Int64(Date().timeIntervalSince1970))
        do {
            // Two peers first stored two days ago, never connected; one stored now.
            let (file, _) = try PeerStoreFile.open(path: path)
            let old = try [1, 2].map { PeerRecord(id: try PeerID(TestPeers.id($0))) }
            try file.write(.init(upserts: old), now: now - .seconds(2 * 24 * 3600))
            try file.write(.init(upserts: [PeerRecord(id: try PeerID(TestPeers.id(3)))]), now: now)
        }
        let port = try PeerdProcess.freePort()
        let peerd = try PeerdProcess(arguments: [
            "--peer-store-path", path, "--peer-store-expiry", "86400", "--metrics-address", "127.0.0.1:\(port)",
        ])
        let peers = try Self.allPeers(try PeerManagerClient(socketPath: peerd.socketPath))
        #expect(Set(peers.keys) == [TestPeers.id(3)])
        try waitFor(peerd) {
            let metrics = (try? PeerdProcess.httpGet(port: port, path: "/metrics").body) ?? ""
            return metrics.split(separator: "\n").contains("peerd_store_expired_peers_total 2")
        }
    }

    @Test("a second peerd on the same store exits 1 naming the first and --peer-store-path; the first serves on")
    func secondPeerdRefused() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        let first = try PeerdProcess(arguments: ["--peer-store-path", path])
        let admin = try PeerManagerClient(socketPath: first.socketPath)
        try Self.addPeer(admin, 1)
        for reset in [[], ["--peer-store-reset"]] {
            let refused = try ChildProcess.run(
                PeerdProcess.binary.path,
                ["--socket", "\(directory)/second.sock", "--no-metrics", "--peer-store-path", path] + reset)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("pid \(first.process.pid)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--peer-store-path"), "\(refused.stderr)")
        }
        try Self.addPeer(admin, 2)
        #expect(Set(try Self.allPeers(admin).keys) == [TestPeers.id(1), TestPeers.id(2)])
        #expect(first.stop() == 0)
    }

    @Test("a corrupt file stops peerd with what to do; --peer-store-reset moves it aside and starts empty")
    func corruptFile() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peers.db"
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        let refused = try ChildProcess.run(
            PeerdProcess.binary.path,
            ["--socket", "\(directory)/s.sock", "--no-metrics", "--peer-store-path", path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--peer-store-reset"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)

        let peerd = try PeerdProcess(arguments: ["--peer-store-path", path, "--peer-store-reset"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        #expect(try Self.allPeers(admin).isEmpty)
        try Self.addPeer(admin, 1)
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            $0.hasPrefix("peers.db.unreadable-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
        }
        #expect(aside.count == 1)
        if let name = aside.first {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")) == garbage)
        }
    }

    @Test("a write failure at run time: UNAVAILABLE, counted, the service goes on; recovery once the disk takes writes")
    func writeFailureAndRecovery() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try PeerdProcess.freePort()
        let store = ["--peer-store-path", "\(directory)/peers.db", "--metrics-address", "127.0.0.1:\(port)"]
        let peerd = try PeerdProcess(arguments: store)
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try Self.addPeer(admin, 1)
        // A file-size limit of one byte on the running peerd: every write to the store fails
        // (EFBIG), as on a full disk.
        let pid = "\(peerd.process.pid)"
        #expect(try ChildProcess.run("/usr/bin/prlimit", ["--pid", pid, "--fsize=1:unlimited"]).status == 0)
        for n in 2...4 {
            #expect {
                try Self.addPeer(admin, n)
            } throws: { error in
                (error as? RPCError)?.code == .unavailable
            }
        }
        // The service goes on: reads work, the peers are in memory.
        #expect(try Self.allPeers(admin).count == 4)
        // The metrics server may come up after the socket: polled.
        try waitFor(peerd) {
            let metrics = (try? PeerdProcess.httpGet(port: port, path: "/metrics").body) ?? ""
            return metrics.split(separator: "\n").contains {
                $0.hasPrefix("waku_peers_errors{type=\"storage_failure\"}") && !$0.hasSuffix(" 0")
            }
        }

        #expect(try ChildProcess.run("/usr/bin/prlimit", ["--pid", pid, "--fsize=unlimited"]).status == 0)
        try Self.addPeer(admin, 5)
        // The failure's own log line went the way of every write to a full file (peerd's stderr
        // is a file here); the recovery line says what failed and how often.
        try waitFor(peerd) { peerd.log().contains("peer store writable again") }
        let recovery = try #require(peerd.log().split(separator: "\n").first { $0.contains("writable again") })
        #expect(recovery.contains("store.failed_writes=") && !recovery.contains("store.failed_writes=0 "))
        #expect(recovery.contains("error="), "\(recovery)")
        peerd.stop(signal: SIGKILL)
        // Peers refused while failing were written once the disk recovered.
        let restarted = try PeerdProcess(arguments: ["--peer-store-path", "\(directory)/peers.db"])
        let peers = try Self.allPeers(try PeerManagerClient(socketPath: restarted.socketPath))
        #expect(Set(peers.keys) == Set((1...5).map(TestPeers.id)))
    }

    @Test("a failing disk is logged once per cause, however many writes fail, and its recovery once")
    func failureLoggedOnce() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // peerd's stderr is a FIFO drained here: a file-size limit does not apply to it, so
        // every line peerd logs while its disk fails is seen.
        let fifo = "\(directory)/stderr.fifo"
        guard mkfifo(fifo, 0o600) == 0 else { throw POSIXError(.EIO) }
        let log = StderrDrain(fifo)
        let socket = "\(directory)/s.sock"
        let peerd = try ChildProcess(
            executable: PeerdProcess.binary.path,
            arguments: ["--socket", socket, "--no-metrics", "--peer-store-path", "\(directory)/peers.db"],
            stderrPath: fifo)
        defer {
            peerd.kill(SIGKILL)
            peerd.wait(timeout: .seconds(10))
        }
        let deadline = ContinuousClock.now + .seconds(20)
        var admin: PeerManagerClient?
        while admin == nil, ContinuousClock.now < deadline {
            admin = try? PeerManagerClient(socketPath: socket)
            if admin == nil { usleep(20_000) }
        }
        let client = try #require(admin)
        try Self.addPeer(client, 1)
        #expect(try ChildProcess.run("/usr/bin/prlimit", ["--pid", "\(peerd.pid)", "--fsize=1:unlimited"]).status == 0)
        for n in 2...6 {
            #expect(throws: RPCError.self) { try Self.addPeer(client, n) }
        }
        // The writer retries what is pending (every second while failing): same cause, no new line.
        usleep(2_500_000)
        #expect(try ChildProcess.run("/usr/bin/prlimit", ["--pid", "\(peerd.pid)", "--fsize=unlimited"]).status == 0)
        try Self.addPeer(client, 7)
        let recovered = ContinuousClock.now + .seconds(10)
        while !log.text().contains("writable again"), ContinuousClock.now < recovered { usleep(20_000) }
        let text = log.text()
        #expect(text.components(separatedBy: "peer store write failed").count - 1 == 1, "\(text)")
        #expect(text.components(separatedBy: "peer store writable again").count - 1 == 1, "\(text)")
    }

    @Test("--import-nwaku-db merges an nwaku peers.db at start; bad rows are reported, not fatal")
    func nwakuImport() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nwakuPath = "\(directory)/nwaku.db"
        let golden: [UInt8] = [
            10, 39, 0, 37, 8, 2, 18, 33, 3, 43, 246, 238, 219, 109, 147, 79, 129, 40, 145,
            217, 209, 109, 105, 185, 186, 200, 180, 203, 72, 166, 220, 196, 232, 170, 74,
            141, 125, 255, 112, 238, 204, 18, 8, 4, 192, 168, 0, 1, 6, 31, 144, 40, 0, 48, 0,
        ]
        try DatabaseQueue(path: nwakuPath).write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS Peer (peerId BLOB PRIMARY KEY, storedInfo BLOB,
                        connectedness INTEGER, disconnectTime INTEGER) WITHOUT ROWID;
                    """)
            try db.execute(
                sql: "REPLACE INTO Peer (peerId, storedInfo) VALUES (?, ?)", arguments: [Data([1]), Data(golden)])
            try db.execute(
                sql: "REPLACE INTO Peer (peerId, storedInfo) VALUES (?, ?)",
                arguments: [Data([2]), Data([0x0A, 0x01])])
        }
        let store = ["--peer-store-path", "\(directory)/peers.db"]
        do {
            let peerd = try PeerdProcess(arguments: store + ["--import-nwaku-db", nwakuPath])
            let peers = try Self.allPeers(try PeerManagerClient(socketPath: peerd.socketPath))
            let imported = try #require(peers["16Uiu2HAmFccGe5iezmyRDQZuLPRP7FqpqXLjnocmMRk18pmTZs2j"])
            #expect(imported.addresses == ["/ip4/192.168.0.1/tcp/8080"])
            #expect(imported.origin == .cache)
            #expect(peerd.log().contains("nwaku peers imported"))
            peerd.stop()
        }
        // Imported peers are in peerd's own file from then on.
        let again = try PeerdProcess(arguments: store)
        let peers = try Self.allPeers(try PeerManagerClient(socketPath: again.socketPath))
        #expect(Set(peers.keys) == ["16Uiu2HAmFccGe5iezmyRDQZuLPRP7FqpqXLjnocmMRk18pmTZs2j"])
    }
}

/// Reads a FIFO on a thread of its own until its writer closes it, keeping what was read.
final class StderrDrain: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    init(_ path: String) {
        let thread = Thread { [self] in
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { return }
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { return }
                lock.withLock { bytes += buffer[0..<count] }
            }
        }
        thread.start()
    }

    func text() -> String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}

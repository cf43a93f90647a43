// store-bench: the peer store file (issue 12, "Speed").
//
//   1. Writes N peers (default 100,000; realistic records: two addresses, three protocols, key,
//      agent, protocol version, a 250-character ENR with shards, metadata shards) in
//      transactions of 10,000, and reports the file size.
//   2. Loads them as peerd does at start, in a fresh child process each time (file in the page
//      cache): open + migrate check, read and decode every row, import into an engine. Reports
//      each phase and the child's RSS before and after. Goal: load <= 1 s.
//      Reference in the same run: the same engine import from an in-memory snapshot (no disk).
//
// Run: swift run -c release --package-path Benchmarks store-bench [--peers N] [--reps N]
import Foundation
import PeerCore
import PeerIdentity
import PeerStorage

#if canImport(Glibc)
    import Glibc
#endif

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Resident set size of this process, from /proc/self/status (kB).
func residentKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }
    return 0
}

func record(_ n: Int) -> PeerRecord {
    var key = [UInt8](repeating: 0, count: 32)
    withUnsafeBytes(of: UInt64(n).bigEndian) { key.replaceSubrange(24..<32, with: $0) }
    key[0] = 0x42
    let id = try! PeerID(ed25519PublicKey: key)
    let enrText = "enr:-" + String(repeating: "K", count: 245)
    return PeerRecord(
        id: id,
        addresses: [
            try! Multiaddr("/ip4/10.\(n / 62_500 % 250).\(n / 250 % 250).\(n % 250 + 1)/tcp/60000"),
            try! Multiaddr("/ip4/10.\(n / 62_500 % 250).\(n / 250 % 250).\(n % 250 + 1)/tcp/8000/wss"),
        ],
        protocols: ["/vac/waku/relay/2.0.0", "/vac/waku/store-query/3.0.0", "/vac/waku/metadata/1.0.0"],
        publicKey: [0x08, 0x01, 0x12, 0x20] + key, agent: "nwaku/v0.36.0", protocolVersion: "ipfs/0.1.0",
        enr: PeerENRInfo(
            sequence: 7, text: enrText, relayShards: RelayShards(clusterID: 1, shardIDs: [0, 1, 2, 3, 4, 5, 6, 7]),
            capabilities: WakuCapabilities(rawValue: 0b1011)),
        origin: .discv5, connectedness: n % 3 == 0 ? .canConnect : .notConnected, direction: .outbound,
        disconnectTime: n % 3 == 0 ? .seconds(1_764_000_000) : nil, failedAttempts: n % 5 == 0 ? 1 : 0,
        lastFailedAttempt: n % 5 == 0 ? .seconds(1_764_000_100) : nil,
        metadataShards: RelayShards(clusterID: 1, shardIDs: [0, 1, 2, 3, 4, 5, 6, 7]))
}

func engine(capacity: Int) -> PeerEngine {
    try! PeerEngine(
        configuration: .defaults { $0.peerStoreCapacity = max(capacity, 100) }, selfID: PeerID(multihash: []))
}

/// The child: one load as peerd does it, phases printed as `key=value`.
func loadOnce(path: String, peers: Int) throws {
    let rssBefore = residentKilobytes()
    let cpuStart = cpuSeconds()
    let now = EngineTime.seconds(Int64(Date().timeIntervalSince1970))
    let start = monotonicSeconds()
    let (file, _) = try PeerStoreFile.open(path: path)
    let opened = monotonicSeconds()
    let loaded = try file.load(now: now, expiry: .seconds(10 * 365 * 24 * 3600))
    let read = monotonicSeconds()
    var engine = engine(capacity: peers)
    engine.importSnapshot(loaded.snapshot, now: now)
    let imported = monotonicSeconds()
    let loadCPU = cpuSeconds() - cpuStart
    guard engine.store.count == peers, loaded.skipped == 0 else {
        throw BenchError("loaded \(engine.store.count) peers, skipped \(loaded.skipped); expected \(peers)")
    }
    let rssAfter = residentKilobytes()
    // The reference: the same import from a snapshot already in memory.
    let snapshot = engine.exportSnapshot()
    var second = self_engine(peers)
    let referenceStart = monotonicSeconds()
    second.importSnapshot(snapshot, now: now)
    let referenceEnd = monotonicSeconds()
    print(
        "cpu=\(loadCPU) open=\(opened - start) read=\(read - opened) import=\(imported - read) total=\(imported - start) "
            + "reference_import=\(referenceEnd - referenceStart) rss_before_kb=\(rssBefore) rss_after_kb=\(rssAfter)")
}

/// User + system CPU of this process so far: robust where wall time is not, on a shared machine.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func self_engine(_ peers: Int) -> PeerEngine { engine(capacity: peers) }

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func run() throws {
    var arguments = Array(CommandLine.arguments.dropFirst())[...]
    var peers = 100_000
    var reps = 3
    var loadPath: String?
    var keep: String?
    while let flag = arguments.popFirst() {
        switch flag {
        case "--peers": peers = Int(arguments.popFirst() ?? "") ?? peers
        case "--reps": reps = max(Int(arguments.popFirst() ?? "") ?? reps, 1)
        case "--load": loadPath = arguments.popFirst()
        case "--keep": keep = arguments.popFirst()
        default: throw BenchError("usage: store-bench [--peers N] [--reps N] [--keep PATH]")
        }
    }
    if let loadPath { return try loadOnce(path: loadPath, peers: peers) }

    var template = Array("/tmp/store-bench-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw BenchError("mkdtemp failed") }
    let directory = String(cString: created)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // --keep PATH: the file is written there and left (for profiling a load).
    let path = keep ?? "\(directory)/peers.db"

    print("# store-bench")
    print("")
    print("peers: \(peers); reps: \(reps); file: \(path)")
    let records = (1...peers).map(record)
    let (file, _) = try PeerStoreFile.open(path: path)
    let writeStart = monotonicSeconds()
    var offset = 0
    while offset < records.count {
        let batch = Array(records[offset..<min(offset + 10_000, records.count)])
        try file.write(.init(upserts: batch), now: .seconds(Int64(Date().timeIntervalSince1970)))
        offset += batch.count
    }
    let writeSeconds = monotonicSeconds() - writeStart
    // Checkpoint so the size is the database's, not the WAL's.
    _ = try file.count()
    let sizes = ["", "-wal"].map { suffix -> Int in
        ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size]) as? Int) ?? 0
    }
    print(
        "write: \(fixed(writeSeconds, 2)) s for \(peers) peers in transactions of 10,000 "
            + "(\(fixed(Double(peers) / writeSeconds, 0)) peers/s); file \(sizes[0] / 1024) KiB + WAL \(sizes[1] / 1024) KiB "
            + "(\(fixed(Double(sizes[0] + sizes[1]) / Double(peers), 0)) bytes/peer)")
    print("")
    print(
        "| rep | open s | read+decode s | engine import s | load total s | load CPU s | reference: import from memory s | RSS before MiB | RSS after MiB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    var totals: [Double] = []
    var cpus: [Double] = []
    let selfBinary = CommandLine.arguments[0]
    for rep in 1...reps {
        let pipe = Pipe()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["--load", path, "--peers", "\(peers)"]
        child.standardOutput = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { throw BenchError("\(selfBinary) --load failed: \(output)") }
        var fields: [String: Double] = [:]
        for pair in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { fields[String(parts[0])] = Double(parts[1]) }
        }
        totals.append(fields["total"] ?? 0)
        cpus.append(fields["cpu"] ?? 0)
        print(
            "| \(rep) | \(fixed(fields["open"] ?? 0, 3)) | \(fixed(fields["read"] ?? 0, 3)) | \(fixed(fields["import"] ?? 0, 3)) | "
                + "\(fixed(fields["total"] ?? 0, 3)) | \(fixed(fields["cpu"] ?? 0, 3)) | "
                + "\(fixed(fields["reference_import"] ?? 0, 3)) | "
                + "\(fixed((fields["rss_before_kb"] ?? 0) / 1024, 0)) | \(fixed((fields["rss_after_kb"] ?? 0) / 1024, 0)) |"
        )
    }
    print("")
    let load = median(totals)
    print(
        "- Load \(peers) persisted peers: \(fixed(load, 3)) s (median) vs goal <= 1 s: \(load <= 1 ? "PASS" : "FAIL")")
    print(
        "- Its CPU time (user + system, what a quiet machine's wall time would be): \(fixed(median(cpus), 3)) s "
            + "(median); load average now \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?")")
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("store-bench: \(error)\n".utf8))
    exit(1)
}

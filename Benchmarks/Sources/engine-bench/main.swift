import PeerCore
import PeerIdentity

// engine-bench: the PeerCore engine at 1k, 10k and 100k peers, side by side with a naive
// reference (a linear scan over an array of PeerRecord values, what a straightforward port of
// nwaku's book scans does) computed in the same run.
//
// Run: swift run -c release --package-path Benchmarks engine-bench
#if canImport(Glibc)
    import Glibc
#endif

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let selfID = PeerID(multihash: [0x00, 0x04, 0xff, 0xff, 0xff, 0xff])
let now = EngineTime.seconds(1_700_000_000)
// A realistic ENR text length (the sandbox fleet records are about 300 characters).
let enrPadding = String(repeating: "x", count: 290)

func peerID(_ n: Int) -> PeerID {
    // A 38-byte identity multihash like a secp256k1 peer id.
    var bytes: [UInt8] = [0x00, 0x25, 0x08, 0x02, 0x12, 0x21, 0x02]
    for i in 0..<31 { bytes.append(UInt8(truncatingIfNeeded: n >> ((i % 4) * 8)) &+ UInt8(i)) }
    return PeerID(multihash: bytes)
}

func info(_ n: Int) -> PeerInfo {
    let shard = UInt16(n % 8)
    var protocols = [WakuCodec.relay]
    if n % 2 == 0 { protocols.append(WakuCodec.store) }
    if n % 3 == 0 { protocols.append(WakuCodec.lightpush) }
    return PeerInfo(
        id: peerID(n),
        addresses: [try! Multiaddr("/ip4/10.\(n >> 16 & 0xff).\(n >> 8 & 0xff).\(n & 0xff)/tcp/60000")],
        protocols: protocols,
        enr: PeerENRInfo(
            sequence: 1, text: "enr:-\(n)" + enrPadding,
            relayShards: RelayShards(clusterID: 1, shardIDs: [shard, (shard + 1) % 8]), capabilities: [.relay, .store]))
}

func makeEngine(peers: Int, capacity: Int, dialSpread: Bool = true, shards: Bool = false) -> PeerEngine {
    var engine = try! PeerEngine(
        configuration: .defaults {
            $0.peerStoreCapacity = capacity
            $0.colocationLimit = 0
            $0.dialSpread = dialSpread
            if shards {
                // The shard floor is on (D_low 4 per subscribed shard) and, with no connection
                // yet, every shard is short.
                $0.clusterID = 1
                $0.shards = Array(0..<8)
            }
        }, selfID: selfID)
    for n in 0..<peers { engine.addPeer(info(n), origin: .discv5, now: now) }
    if shards { _ = engine.handle(.networkReachability(online: true), now: now) }
    return engine
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

/// Average nanoseconds per call over `iterations`.
func perCall(_ iterations: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let elapsed = clock.measure { for _ in 0..<iterations { body() } }
    return nanoseconds(elapsed) / Double(iterations)
}

/// Resident set size in bytes, from /proc/self/statm (0 where unavailable).
func residentBytes() -> Int {
    #if canImport(Glibc)
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    #else
        return 0
    #endif
}

func format(_ ns: Double) -> String {
    if ns >= 1_000_000 { return String(Int((ns / 1_000_000).rounded())) + " ms" }
    if ns >= 1_000 { return String(Double(Int(ns / 10)) / 100) + " us" }
    return String(Int(ns.rounded())) + " ns"
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

var sink = 0
if CommandLine.arguments.dropFirst().first == "prune" {
    // Only the 100k prunes, for profiling (perf record ... engine-bench prune).
    var rng = SplitMix(state: 1)
    let records = (0..<100_000).map { n in
        let peer = info(n)
        return PeerRecord(id: peer.id, addresses: peer.addresses, protocols: peer.protocols, enr: peer.enr)
    }
    for capacity in [99_000, 50_000] {
        // Capacity holds at insert: an import over capacity is what the pruning pass trims.
        var pruned = try! PeerEngine(
            configuration: .defaults { $0.peerStoreCapacity = capacity }, selfID: selfID)
        let elapsed = ContinuousClock().measure {
            sink &+= pruned.importSnapshot(PeerSnapshot(peers: records), now: now).count
        }
        sink &+= pruned.prune(now: now, using: &rng).count
        print("import + trim 100000 -> \(capacity): \(elapsed)")
    }
    exit(0)
}
let shard = RelayShard(clusterID: 1, shardID: 3)
print("engine-bench: PeerCore engine vs naive linear scan (same run, release build)")
print(
    pad("peers", 8) + pad("operation", 36) + pad("engine", 12) + pad("naive", 12) + "ratio")
// Memory first, keeping every store alive so freed pages are not reused between sizes.
var kept: [PeerEngine] = []
var memory: [Int: Int] = [:]
for count in [1_000, 10_000, 100_000] {
    let before = residentBytes()
    kept.append(makeEngine(peers: count, capacity: count * 2))
    memory[count] = (residentBytes() - before) / count
}

for (index, count) in [1_000, 10_000, 100_000].enumerated() {
    var rng = SplitMix(state: 1)
    let engine = kept[index]
    let naive = engine.store.records()

    func row(_ operation: String, _ engineNs: Double, _ naiveNs: Double?) {
        let ratio = naiveNs.map { "x" + String(Int(($0 / engineNs).rounded())) } ?? "-"
        print(
            pad("\(count)", 8) + pad(operation, 36) + pad(format(engineNs), 12) + pad(naiveNs.map(format) ?? "-", 12)
                + ratio)
    }

    let iterations = 20_000
    let selectEngine = perCall(iterations) {
        sink &+= engine.selectPeer(protocolID: WakuCodec.store, using: &rng)?.addresses.count ?? 0
    }
    let selectNaive = perCall(max(10, iterations / count * 10)) {
        let candidates = naive.filter { $0.protocols.contains(WakuCodec.store) }
        sink &+= candidates.randomElement(using: &rng)?.addresses.count ?? 0
    }
    row("selectPeer(store)", selectEngine, selectNaive)

    let shardEngine = perCall(iterations) {
        sink &+= engine.selectPeer(protocolID: WakuCodec.store, shard: shard, using: &rng)?.addresses.count ?? 0
    }
    let shardNaive = perCall(max(10, iterations / count * 10)) {
        let candidates = naive.filter { $0.protocols.contains(WakuCodec.store) && $0.serves(shard) }
        sink &+= candidates.randomElement(using: &rng)?.addresses.count ?? 0
    }
    row("selectPeer(store, shard 1/3)", shardEngine, shardNaive)

    let selectMany = perCall(200) {
        sink &+= engine.selectPeers(protocolID: WakuCodec.store, shard: shard, limit: 10, using: &rng).count
    }
    row("selectPeers(store, shard, limit 10)", selectMany, nil)

    let tickEngine = perCall(50) {
        var copy = engine
        sink &+= copy.tick(now: now, using: &rng).actions.count
    }
    let backoff = Backoff()
    let tickNaive = perCall(10) {
        var candidates = naive.filter {
            $0.connectedness != .connected
                && backoff.allowsDial(failures: $0.failedAttempts, lastFailure: $0.lastFailedAttempt, now: now)
        }
        candidates.shuffle(using: &rng)
        sink &+= candidates.prefix(10).count
    }
    row("connectivity step (10 dials)", tickEngine, tickNaive)
    // The same step without the dial spread (a uniform sample of the round's queue, nwaku's
    // order): the spread's price is the difference (a 4096-candidate window, grouped).
    do {
        let unspread = makeEngine(peers: count, capacity: count * 2, dialSpread: false)
        let tickUnspread = perCall(50) {
            var copy = unspread
            sink &+= copy.tick(now: now, using: &rng).actions.count
        }
        row("connectivity step, no dial spread", tickUnspread, nil)
    }
    // A step while every subscribed shard is short: the coverage fill reads the shards of every
    // connectable candidate (the whole store), under the engine lock, once a second while the
    // short shards' dials are in flight. Each step on a fresh engine, so no copy-on-write of the
    // store is timed.
    do {
        var total = Duration.zero
        let steps = count >= 100_000 ? 3 : 10
        for _ in 0..<steps {
            var fresh = makeEngine(peers: count, capacity: count * 2, shards: true)
            total += ContinuousClock().measure { sink &+= fresh.tick(now: now, using: &rng).actions.count }
        }
        row("connectivity step, 8 shards short", nanoseconds(total) / Double(steps), nil)
    }

    // Capacity holds at insert, so a store over capacity only arises from a snapshot import,
    // which is trimmed by the pruning pass at once: import + trim, 1 % and 50 % over.
    let records = (0..<count).map { n in
        let peer = info(n)
        return PeerRecord(id: peer.id, addresses: peer.addresses, protocols: peer.protocols, enr: peer.enr)
    }
    for capacity in [count - count / 100, count / 2] {
        var trimmed = try! PeerEngine(
            configuration: .defaults {
                $0.peerStoreCapacity = capacity
                $0.colocationLimit = 0
            }, selfID: selfID)
        let importTime = ContinuousClock().measure {
            sink &+= trimmed.importSnapshot(PeerSnapshot(peers: records), now: now).count
        }
        row("import + trim to capacity (\(count - capacity) removed)", nanoseconds(importTime), nil)
        precondition(trimmed.store.count == capacity)
    }
    // A store at capacity fed new peers: each evicts by the pruning rules (capacity / 64 at once).
    var full = makeEngine(peers: count, capacity: count)
    var next = count
    let addAtCapacity = perCall(2_000) {
        sink &+= full.addPeer(info(next), origin: .discv5, now: now).count
        next += 1
    }
    precondition(full.store.count <= count)
    row("addPeer at capacity (evicting)", addAtCapacity, nil)

    print(pad("\(count)", 8) + pad("memory per peer (RSS delta)", 36) + "\(memory[count]!) B")
}
print("(sink \(sink % 10))")

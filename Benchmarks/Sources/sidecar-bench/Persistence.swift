import NIOCore
import PeerWire

#if canImport(Glibc)
    import Glibc
#endif

/// The peer store file's cost (issue 12, "Speed"): the same workloads with `--no-persistence`
/// and with a fresh store file, side by side in one run.
///
/// - Attach ingest: host churn is written behind, so the event path must keep >= 90% of the
///   in-memory rate.
/// - AddPeer round trip (sequential, a new peer each call, client and peerd on CPU 0): the reply
///   waits for the commit, so this is where persistence costs; p50 beside the in-memory p50.
struct PersistenceWorkload {
    /// AddPeer calls per run, after `warmup`.
    let calls: Int
    let warmup: Int

    /// Metrics off: their port may be taken (and a scrape is no part of these paths).
    static let memory = ["--no-persistence", "--no-metrics"]

    /// peerd's flags with a store file of its own under `directory`.
    static func persistent(_ directory: String, _ index: Int) -> [String] {
        ["--peer-store-path", "\(directory)/peers-\(index).db", "--no-metrics"]
    }

    var addPeerArguments: [String] { ["--peer-store-capacity", "\(2 * (calls + warmup) + 100)"] }

    /// `warmup` untimed AddPeer calls, then `calls` timed ones, each adding a new peer.
    func measureAddPeer(_ socket: BlockingSocket, server: ChildProcess) throws -> LatencyRun {
        var streamID: UInt32 = 1
        var n = 1
        func call() throws {
            let request = Wire.request(
                streamID: streamID, service: Wire.peerManager, method: "AddPeer",
                PeerManagerV1.AddPeerRequest(
                    source: .peer(Peers.record(n, protocols: [Wire.relayProtocol])), origin: .discv5))
            try socket.writeAll(request)
            let frame = try socket.expectFrame()
            guard frame.streamID == streamID else { throw BenchError("AddPeer: answer on stream \(frame.streamID)") }
            _ = try Wire.okPayload(frame, context: "AddPeer")
            streamID &+= 2
            n += 1
        }
        for _ in 0..<warmup { try call() }
        var samples = [UInt64](repeating: 0, count: calls)
        let load = ForeignLoad(server: server)
        let switchesBefore = server.contextSwitches()
        let cpuBefore = server.cpuNanos()
        let start = monotonicNanos()
        for index in 0..<calls {
            let before = monotonicNanos()
            try call()
            samples[index] = monotonicNanos() &- before
        }
        let elapsed = monotonicNanos() - start
        return LatencyRun(
            samples: samples, elapsed: elapsed, serverCPU: server.cpuNanos() - cpuBefore, otherLoad: load.percent(),
            serverSwitches: server.contextSwitches() - switchesBefore)
    }
}

/// Runs the persistence cells and prints their tables and goals.
func runPersistence(_ options: Options, environment: Environment) throws {
    let workload = PersistenceWorkload(calls: options.addPeerCalls, warmup: min(500, options.addPeerCalls))
    let ingest = IngestWorkload(events: options.events, maxQueuedMessages: options.maxQueuedMessages)
    let ingestArguments = ingest.peerdArguments.filter { $0 != "--no-persistence" }
    var files = 0
    var ingestRuns: [Layout: [Bool: [IngestRun]]] = [:]
    var addPeerRuns: [Bool: [LatencyRun]] = [:]
    for rep in 1...options.reps {
        for layout in options.layouts {
            for persistent in [false, true] {
                files += 1
                let store =
                    persistent
                    ? PersistenceWorkload.persistent(environment.workDirectory, files) : PersistenceWorkload.memory
                try pinSelf(to: nil)
                let server = try environment.peerd(layout: layout, arguments: ingestArguments + store)
                let socket = try server.connect()
                try pinSelf(to: layout.client)
                let run = try ingest.runAttach(socket, server: server.process)
                socket.close()
                server.stop()
                ingestRuns[layout, default: [:]][persistent, default: []].append(run)
                progress(
                    "rep \(rep) ingest Attach \(persistent ? "store file" : "in memory ") \(layout.name): "
                        + "\(Int(run.eventsPerSecond)) events/s; other processes \(fixed(run.otherLoad, 1))% of the CPUs"
                )
            }
        }
        for persistent in [false, true] {
            files += 1
            let store =
                persistent
                ? PersistenceWorkload.persistent(environment.workDirectory, files) : PersistenceWorkload.memory
            try pinSelf(to: nil)
            let server = try environment.peerd(layout: .sameCPU, arguments: workload.addPeerArguments + store)
            let socket = try server.connect()
            try pinSelf(to: Layout.sameCPU.client)
            let run = try workload.measureAddPeer(socket, server: server.process)
            socket.close()
            server.stop()
            addPeerRuns[persistent, default: []].append(run)
            progress(
                "rep \(rep) AddPeer \(persistent ? "store file" : "in memory "): p50 \(fixed(run.p50, 1)) µs, "
                    + "p99 \(fixed(run.p99, 1)) µs; other processes \(fixed(run.otherLoad, 1))% of the CPUs")
        }
    }
    try pinSelf(to: nil)

    print("")
    print("## Persistence (issue 12): in memory (--no-persistence) beside a store file, same run")
    print("")
    var ingestTable = Table(["Attach ingest", "layout", "reps", "events/s", "peerd CPU ns/event", "other load %"])
    for layout in options.layouts {
        for persistent in [false, true] {
            let runs = ingestRuns[layout]?[persistent] ?? []
            ingestTable.add([
                persistent ? "store file" : "in memory", layout.name, "\(runs.count)",
                summary(runs.map(\.eventsPerSecond), 0), summary(runs.map(\.cpuPerEvent), 0),
                summary(runs.map(\.otherLoad), 1),
            ])
        }
    }
    print(ingestTable.render())
    print("")
    var addPeerTable = Table([
        "AddPeer (new peer each call, both on CPU 0)", "reps", "p50 µs", "p90 µs", "p99 µs", "calls/s",
        "peerd CPU µs/call", "other load %",
    ])
    for persistent in [false, true] {
        let runs = addPeerRuns[persistent] ?? []
        addPeerTable.add([
            persistent ? "store file (reply after commit)" : "in memory", "\(runs.count)", summary(runs.map(\.p50), 1),
            summary(runs.map(\.p90), 1), summary(runs.map(\.p99), 1), summary(runs.map(\.callsPerSecond), 0),
            summary(runs.map(\.serverCPUPerCall), 1), summary(runs.map(\.otherLoad), 1),
        ])
    }
    print(addPeerTable.render())
    print("")
    for layout in options.layouts {
        let memory = ingestRuns[layout]?[false] ?? []
        let stored = ingestRuns[layout]?[true] ?? []
        // Per round: the two runs of a rep were taken back to back.
        let ratio = median(zip(stored, memory).map { $0.eventsPerSecond / $1.eventsPerSecond })
        print(
            "- Attach ingest with a store file, \(layout.name): \(fixed(100 * ratio, 1))% of the in-memory rate "
                + "(median of per-rep ratios) vs goal >= 90%: \(ratio >= 0.9 ? "PASS" : "FAIL")")
    }
    let memoryP50 = median((addPeerRuns[false] ?? []).map(\.p50))
    let storedP50 = median((addPeerRuns[true] ?? []).map(\.p50))
    print(
        "- AddPeer p50, both on CPU 0: \(fixed(storedP50, 1)) µs with a store file vs \(fixed(memoryP50, 1)) µs "
            + "in memory (report only; the commit is the cost)")
}

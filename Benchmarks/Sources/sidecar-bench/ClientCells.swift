import PeerClient

#if canImport(Glibc)
    import Glibc
#endif

/// The benchmark runs one process at a time against the server it started; the ChildProcess is
/// handed to the async measurement and back, never shared.
extension ChildProcess: @unchecked Sendable {}

/// One cell of the client workload: every measurement against the same peerd.
struct ClientCell {
    static let inFlight = [16, 64]

    /// The blocking raw client, one call in flight.
    var blocking: LatencyRun
    /// PeerClient, one call in flight: from the concurrency pool, and from a task on the
    /// connection's event loop (`taskExecutor`).
    var client: LatencyRun
    var clientOnLoop: LatencyRun
    /// The raw pipelined floor and PeerClient (pool, event loop), by calls in flight.
    var pipelined: [Int: ThroughputRun] = [:]
    var concurrent: [Int: ThroughputRun] = [:]
    var concurrentOnLoop: [Int: ThroughputRun] = [:]

    var otherLoads: [Double] {
        [blocking.otherLoad, client.otherLoad, clientOnLoop.otherLoad] + pipelined.values.map(\.otherLoad)
            + concurrent.values.map(\.otherLoad) + concurrentOnLoop.values.map(\.otherLoad)
    }
}

/// Starts peerd for `layout`, fills its store, and measures the blocking client, then PeerClient
/// (one in flight), then for each in-flight count the raw pipelined floor and PeerClient.
func measureClientCell(layout: Layout, environment: Environment, options: Options) throws -> ClientCell {
    try pinSelf(to: nil)
    let server = try environment.peerd(layout: layout, arguments: SelectPeerWorkload.peerdArguments)
    defer { server.stop() }
    let socket = try server.connect()
    defer { socket.close() }
    var next = try SelectPeerWorkload.fill(socket)
    try pinSelf(to: layout.client)
    let process = server.process
    let blockingRun = try SelectPeerWorkload().measure(
        socket, firstStreamID: next, warmup: options.warmup, calls: options.calls, server: process)
    next &+= UInt32(2 * (options.warmup + options.calls))

    let connection = ClientConnection(socketPath: server.socketPath)
    let client = PeerManagerClient(connection: connection)
    let workload = ClientWorkload()
    let (warmup, calls) = (options.warmup, options.calls)
    let clientRun = try blocking {
        try await workload.measureSequential(client, onLoop: false, warmup: warmup, calls: calls, server: process)
    }
    let onLoopRun = try blocking {
        try await workload.measureSequential(client, onLoop: true, warmup: warmup, calls: calls, server: process)
    }
    var cell = ClientCell(blocking: blockingRun, client: clientRun, clientOnLoop: onLoopRun)
    for inFlight in ClientCell.inFlight {
        let (raw, after) = try ClientWorkload.measurePipelined(
            socket, firstStreamID: next, inFlight: inFlight, calls: options.throughputCalls, server: process)
        next = after
        cell.pipelined[inFlight] = raw
        let throughputCalls = options.throughputCalls
        cell.concurrent[inFlight] = try blocking {
            try await workload.measureConcurrent(
                client, onLoop: false, inFlight: inFlight, calls: throughputCalls, server: process)
        }
        cell.concurrentOnLoop[inFlight] = try blocking {
            try await workload.measureConcurrent(
                client, onLoop: true, inFlight: inFlight, calls: throughputCalls, server: process)
        }
    }
    try blocking { await connection.close() }
    return cell
}

func printClientTables(_ results: [Layout: [ClientCell]], layouts: [Layout], options: Options) {
    print("")
    print(
        "## PeerClient: SelectPeer, one call in flight (same peerd, same cell; \(options.warmup) warm-up + "
            + "\(options.calls) timed calls)")
    print("")
    var table = Table([
        "contender", "layout", "reps", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "calls/s", "server CPU µs/call",
        "other load %",
    ])
    var ratios = Table([
        "layout", "p50 PeerClient/blocking", "p99 PeerClient/blocking", "p50 PeerClient − blocking µs",
        "p50 PeerClient on the loop/blocking", "p50 PeerClient on the loop − blocking µs",
    ])
    for layout in layouts {
        guard let cells = results[layout] else { continue }
        for (name, runs) in [
            ("blocking raw client", cells.map(\.blocking)), ("PeerClient (task on the pool)", cells.map(\.client)),
            ("PeerClient (task on the connection's event loop)", cells.map(\.clientOnLoop)),
        ] {
            table.add([
                name, layout.name, "\(runs.count)", summary(runs.map(\.p50), 2), summary(runs.map(\.p90), 2),
                summary(runs.map(\.p99), 1), summary(runs.map(\.p999), 1), summary(runs.map(\.callsPerSecond), 0),
                summary(runs.map(\.serverCPUPerCall), 2), summary(runs.map(\.otherLoad), 1),
            ])
        }
        ratios.add([
            layout.name, summary(cells.map { $0.client.p50 / $0.blocking.p50 }, 2),
            summary(cells.map { $0.client.p99 / $0.blocking.p99 }, 2),
            summary(cells.map { $0.client.p50 - $0.blocking.p50 }, 2),
            summary(cells.map { $0.clientOnLoop.p50 / $0.blocking.p50 }, 2),
            summary(cells.map { $0.clientOnLoop.p50 - $0.blocking.p50 }, 2),
        ])
    }
    print(table.render())
    print("")
    print(ratios.render())
    print("")
    print(
        "## PeerClient: SelectPeer calls/s with several calls in flight on one connection (\(options.throughputCalls) calls)"
    )
    print("")
    var throughput = Table([
        "contender", "in flight", "layout", "reps", "calls/s", "server CPU µs/call", "client CPU µs/call",
        "server ctx switches/call", "other load %",
    ])
    for layout in layouts {
        guard let cells = results[layout] else { continue }
        for inFlight in ClientCell.inFlight {
            for (name, runs) in [
                ("raw pipelined client (N per write)", cells.compactMap { $0.pipelined[inFlight] }),
                ("PeerClient (N tasks on the pool)", cells.compactMap { $0.concurrent[inFlight] }),
                ("PeerClient (N tasks on the event loop)", cells.compactMap { $0.concurrentOnLoop[inFlight] }),
            ] {
                throughput.add([
                    name, "\(inFlight)", layout.name, "\(runs.count)", summary(runs.map(\.callsPerSecond), 0),
                    summary(runs.map(\.serverCPUPerCall), 2), summary(runs.map(\.clientCPUPerCall), 2),
                    summary(runs.map(\.serverSwitchesPerCall), 3), summary(runs.map(\.otherLoad), 1),
                ])
            }
        }
    }
    print(throughput.render())
}

func printClientGoals(_ results: [Layout: [ClientCell]], layouts: [Layout]) {
    if let cells = results[.sameCPU] {
        let blockingP50 = median(cells.map(\.blocking.p50))
        for (mode, p50) in [
            ("task on the pool", median(cells.map(\.client.p50))),
            ("task on the event loop", median(cells.map(\.clientOnLoop.p50))),
        ] {
            print(
                "- PeerClient SelectPeer p50 (\(mode)), both on CPU 0: \(fixed(p50, 2)) µs vs 1.3 × the blocking "
                    + "client's \(fixed(blockingP50, 2)) µs = \(fixed(1.3 * blockingP50, 2)) µs "
                    + "(ratio \(fixed(p50 / blockingP50, 2))): " + (p50 <= 1.3 * blockingP50 ? "PASS" : "FAIL"))
        }
    }
    for layout in layouts {
        guard let cells = results[layout] else { continue }
        for (mode, rate) in [
            ("tasks on the pool", median(cells.compactMap { $0.concurrent[64]?.callsPerSecond })),
            ("tasks on the event loop", median(cells.compactMap { $0.concurrentOnLoop[64]?.callsPerSecond })),
        ] {
            print(
                "- PeerClient, 64 in flight (\(mode)), \(layout.name): \(Int(rate)) calls/s (median) vs goal "
                    + ">= 250000: " + (rate >= 250_000 ? "PASS" : "FAIL"))
        }
    }
}

// sidecar-bench: the real peerd over its socket, side by side with a raw-socket floor answering
// the same bytes, in one command (issue 5, "How we will know").
//
//   1. Host-event ingest rate through Host/Attach (goal >= 300k events/s), and through the unary
//      fallback Host/ReportEvents (batches of 1,000).
//   2. SelectPeer round-trip latency (p50/p90/p99/p99.9, calls/s) beside a raw echo server that
//      answers every request with peerd's own SelectPeer answer (goal: p50 <= 2x raw, one CPU),
//      and a plain SwiftNIO echo server answering the same bytes (the framework's own floor).
//   3. The Swift client library, PeerClient (issue 11), against the same peerd as the blocking
//      raw client in the same cell: SelectPeer with one call in flight (goal: p50 <= 1.3x the
//      blocking client's, one CPU) and calls/s with 16 and 64 in flight on one connection beside
//      a raw pipelined floor (goal: >= 250k calls/s with 64 in flight).
//
// Layouts (see shared/reference/latency_anchors.md): both on CPU 0, client CPU 0 / server CPU 1,
// and unpinned. Cells are repeated (default 3x) in interleaved rounds; tables show
// median [min–max].
//
// Run: swift build -c release --product peerd && swift run -c release --package-path Benchmarks sidecar-bench
#if canImport(Glibc)
    import Glibc
#endif

let usage = """
    USAGE: sidecar-bench [--peerd PATH] [--calls N] [--warmup N] [--events N] [--reps N]
                         [--layouts same,split,unpinned] [--only latency|ingest|client|persistence]
                         [--max-queued-messages N] [--throughput-calls N] [--addpeer-calls N]

    Measures peerd's host-event ingest rate (Host/Attach, and Host/ReportEvents in batches of
    1,000) and SelectPeer round-trip latency beside a raw blocking-socket server and a plain
    SwiftNIO server that answer the same request with the same bytes, with client and server
    both on CPU 0, on CPUs 0 and 1, and unpinned. Prints markdown tables and PASS/FAIL against
    issue 5's goals. Run it on a quiet machine (the "other load %" column shows what else ran).

    Starts the release peerd binary as a child on a throwaway socket under /tmp (pinned with
    taskset from util-linux), measures it, and stops it (SIGTERM) at the end of every cell.

      swift build -c release --product peerd          (repo root; see --peerd)
      swift run -c release --package-path Benchmarks sidecar-bench

      --peerd PATH     peerd binary. Default: <repo>/.build/release/peerd, else the peerd beside
                       this executable (Benchmarks/.build/release/peerd). Build it first:
                         swift build -c release --product peerd                       (repo root)
                       or, sharing the benchmark package's build directory:
                         swift build -c release --package-path Benchmarks --product peerd
      --calls N        timed SelectPeer calls per cell (default 20000, after --warmup 2000)
      --events N       host events per ingest cell (default 1000000)
      --reps N         repetitions of every cell, interleaved (default 3)
      --layouts L      comma-separated subset of same,split,unpinned (default: all three)
      --only W         run only the latency, the ingest, the client (PeerClient) or the
                       persistence workload (Attach ingest and AddPeer with --no-persistence
                       beside a store file)
      --throughput-calls N
                       calls per in-flight cell of the client workload (default 200000)
      --addpeer-calls N
                       timed AddPeer calls per persistence cell (default 5000, after 500)
      --max-queued-messages N
                       peerd's per-stream queue for the Attach ingest runs (default: peerd's own,
                       whose backpressure pauses reading while the host's events are applied)

    Internal: sidecar-bench --echo-server PATH --reply FILE (the raw floor: blocking read/write)
              sidecar-bench --nio-echo-server PATH --reply FILE (a plain SwiftNIO server, same bytes)

    """

/// The servers a SelectPeer cell is measured against, in the order they run within a round.
enum Contender: String, CaseIterable {
    case raw = "raw  "
    case nio = "nio  "
    case peerd = "peerd"

    var title: String {
        switch self {
        case .raw: "raw floor (blocking read/write, same bytes)"
        case .nio: "plain NIO echo (1 ELG thread, same bytes)"
        case .peerd: "peerd SelectPeer"
        }
    }
}

struct Options {
    var peerd: String?
    var calls = 20_000
    var warmup = 2_000
    var events = 1_000_000
    var reps = 3
    var layouts = Layout.all
    var latency = true
    var ingest = true
    var client = true
    var throughputCalls = 200_000
    var persistence = true
    var addPeerCalls = 5_000
    var maxQueuedMessages: Int?
    var echoServer: String?
    var nioEchoServer: String?
    var reply: String?

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\n\(usage)") }
            return value
        }
        func number(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text.filter { $0 != "_" && $0 != "," }), number >= 0 else {
                throw BenchError("\(flag): not a number: \(text)")
            }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--peerd": options.peerd = try value(flag)
            case "--calls": options.calls = max(try number(flag), 1)
            case "--warmup": options.warmup = try number(flag)
            case "--events": options.events = max(try number(flag), 1)
            case "--reps": options.reps = max(try number(flag), 1)
            case "--max-queued-messages": options.maxQueuedMessages = max(try number(flag), 1)
            case "--throughput-calls": options.throughputCalls = max(try number(flag), 1)
            case "--addpeer-calls": options.addPeerCalls = max(try number(flag), 1)
            case "--layouts":
                let names = try value(flag).split(separator: ",")
                options.layouts = try names.map { name in
                    switch name {
                    case "same": Layout.sameCPU
                    case "split": Layout.split
                    case "unpinned": Layout.unpinned
                    default: throw BenchError("--layouts: unknown layout \(name) (same, split, unpinned)")
                    }
                }
            case "--only":
                switch try value(flag) {
                case "latency": (options.ingest, options.client, options.persistence) = (false, false, false)
                case "ingest": (options.latency, options.client, options.persistence) = (false, false, false)
                case "client": (options.latency, options.ingest, options.persistence) = (false, false, false)
                case "persistence": (options.latency, options.ingest, options.client) = (false, false, false)
                case let other:
                    throw BenchError("--only: latency, ingest, client or persistence, not \(other)")
                }
            case "--echo-server": options.echoServer = try value(flag)
            case "--nio-echo-server": options.nioEchoServer = try value(flag)
            case "--reply": options.reply = try value(flag)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError("unknown argument \(flag)\n\n\(usage)")
            }
        }
        return options
    }
}

func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink(path, &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash])
}

func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

/// The peerd binary: --peerd, else <repo>/.build/release/peerd, else the one beside this binary.
func locatePeerd(_ explicit: String?, selfBinary: String) throws -> String {
    if let explicit {
        guard isExecutable(explicit) else { throw BenchError("--peerd \(explicit): not an executable") }
        return explicit
    }
    // This file is <repo>/Benchmarks/Sources/sidecar-bench/main.swift.
    var repo = #filePath
    for _ in 0..<4 { repo = directory(of: repo) }
    let candidates = ["\(repo)/.build/release/peerd", "\(directory(of: selfBinary))/peerd"]
    if let found = candidates.first(where: isExecutable) { return found }
    throw BenchError(
        """
        no peerd binary at \(candidates.joined(separator: " or ")). Build it first (repo root):
          swift build -c release --product peerd
        or pass --peerd PATH.
        """)
}

// MARK: - Cleanup on signals

/// What the signal handler needs, in plain C memory (it must not call into the Swift runtime):
/// the servers' pids, and `rm -rf <work directory>` as an argv.
nonisolated(unsafe) let signalPids = UnsafeMutablePointer<pid_t>.allocate(capacity: 64)
nonisolated(unsafe) let signalCleanup = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 4)

/// Remembers a server for the signal handler; unregister it when it stops.
func registerForSignals(_ pid: pid_t) {
    for slot in 0..<64 where signalPids[slot] == 0 {
        signalPids[slot] = pid
        return
    }
}

func unregisterForSignals(_ pid: pid_t) {
    for slot in 0..<64 where signalPids[slot] == pid { signalPids[slot] = 0 }
}

/// On SIGINT, SIGTERM or SIGHUP: SIGTERM every server, remove the work directory (fork + execv,
/// both async-signal-safe), exit 128 + signal.
func installSignalHandlers() {
    signalPids.initialize(repeating: 0, count: 64)
    signalCleanup.initialize(repeating: nil, count: 4)
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        Glibc.signal(signal) { number in
            for slot in 0..<64 where signalPids[slot] > 0 { kill(signalPids[slot], SIGTERM) }
            if signalCleanup[2] != nil {
                let child = fork()
                if child == 0 { _ = execv("/bin/rm", signalCleanup) }
                if child > 0 { waitpid(child, nil, 0) }
            }
            _exit(128 + number)
        }
    }
}

/// Arms the handler's cleanup of `directory`.
func removeOnSignal(_ directory: String) {
    signalCleanup[0] = strdup("/bin/rm")
    signalCleanup[1] = strdup("-rf")
    signalCleanup[2] = strdup(directory)
}

// MARK: - The benchmark

func runBenchmark(_ options: Options) throws {
    guard (try? runCommand(["taskset", "-c", "0", "true"])) == 0 else {
        throw BenchError("taskset (util-linux) is needed: apt-get install util-linux")
    }
    let selfBinary = readLink("/proc/self/exe") ?? CommandLine.arguments[0]
    let peerdBinary = try locatePeerd(options.peerd, selfBinary: selfBinary)
    var template = Array("/tmp/sidecar-bench-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw BenchError("mkdtemp: \(errnoText())") }
    let environment = Environment(
        peerdBinary: peerdBinary, selfBinary: selfBinary, workDirectory: String(cString: created))
    removeOnSignal(environment.workDirectory)
    defer {
        stopAllChildren()
        try? pinSelf(to: nil)
        _ = try? runCommand(["rm", "-rf", environment.workDirectory])
    }

    let startLoad = loadAverage()
    let startJiffies = cpuJiffies()
    print("# sidecar-bench")
    print("")
    print("peerd: \(peerdBinary)")
    print(
        "CPUs online: \(sysconf(Int32(_SC_NPROCESSORS_ONLN))); load average at start: \(startLoad); "
            + "reps: \(options.reps), interleaved; work directory: \(environment.workDirectory)")

    var latencyResults: [Layout: [Contender: [LatencyRun]]] = [:]
    var attachResults: [Layout: [IngestRun]] = [:]
    var unaryResults: [Layout: [IngestRun]] = [:]
    var clientResults: [Layout: [ClientCell]] = [:]
    var replyBytes = 0

    if options.latency {
        // Capture peerd's real SelectPeer answer once: the echo servers answer with these bytes.
        let workload = SelectPeerWorkload()
        let replyFile = "\(environment.workDirectory)/selectpeer-reply.bin"
        do {
            try pinSelf(to: nil)
            let peerd = try environment.peerd(layout: .unpinned, arguments: SelectPeerWorkload.peerdArguments)
            let socket = try peerd.connect()
            let next = try SelectPeerWorkload.fill(socket)
            let reply = try workload.checkedCall(socket, streamID: next)
            replyBytes = reply.count
            guard let file = fopen(replyFile, "w"), fwrite(reply, 1, reply.count, file) == reply.count else {
                throw BenchError("cannot write \(replyFile)")
            }
            fclose(file)
            socket.close()
            peerd.stop()
        }
        print(
            "SelectPeer: request \(workload.request.count) bytes, peerd's answer \(replyBytes) bytes "
                + "(header included); the raw and NIO echo servers answer every request with those bytes.")

        for rep in 1...options.reps {
            for layout in options.layouts {
                for contender in Contender.allCases {
                    try pinSelf(to: nil)
                    let isPeerd = contender == .peerd
                    let server =
                        isPeerd
                        ? try environment.peerd(layout: layout, arguments: SelectPeerWorkload.peerdArguments)
                        : try environment.echoServer(layout: layout, replyFile: replyFile, nio: contender == .nio)
                    let socket = try server.connect()
                    let first = isPeerd ? try SelectPeerWorkload.fill(socket) : 1
                    try pinSelf(to: layout.client)
                    let run = try workload.measure(
                        socket, firstStreamID: first, warmup: options.warmup, calls: options.calls,
                        server: server.process)
                    socket.close()
                    server.stop()
                    latencyResults[layout, default: [:]][contender, default: []].append(run)
                    progress(
                        "rep \(rep) SelectPeer \(contender.rawValue) \(layout.name): "
                            + "p50 \(fixed(run.p50, 2)) us, p99 \(fixed(run.p99, 1)) us, "
                            + "\(Int(run.callsPerSecond)) calls/s; other processes \(fixed(run.otherLoad, 1))% of the CPUs"
                    )
                }
            }
        }
    }

    if options.ingest {
        let workload = IngestWorkload(
            events: options.events, maxQueuedMessages: options.maxQueuedMessages)
        print(
            "Ingest: \(IngestWorkload.connectedPeers) connections opened first, then \(workload.blastEvents) "
                + "relay streamOpened/streamClosed events, \(IngestWorkload.framesPerWrite) frames per write(2); "
                + "peerd --max-queued-messages \(workload.maxQueuedMessages.map(String.init) ?? "default (backpressure)")."
        )
        for rep in 1...options.reps {
            for layout in options.layouts {
                for unary in [false, true] {
                    try pinSelf(to: nil)
                    let server = try environment.peerd(layout: layout, arguments: workload.peerdArguments)
                    let socket = try server.connect()
                    try pinSelf(to: layout.client)
                    let run =
                        unary
                        ? try workload.runUnary(socket, server: server.process)
                        : try workload.runAttach(socket, server: server.process)
                    socket.close()
                    server.stop()
                    if unary {
                        unaryResults[layout, default: []].append(run)
                    } else {
                        attachResults[layout, default: []].append(run)
                    }
                    progress(
                        "rep \(rep) ingest \(unary ? "ReportEvents" : "Attach      ") \(layout.name): "
                            + "\(Int(run.eventsPerSecond)) events/s, peerd CPU \(fixed(run.cpuPerEvent, 0)) ns/event; "
                            + "other processes \(fixed(run.otherLoad, 1))% of the CPUs")
                }
            }
        }
    }
    if options.client {
        print(
            "PeerClient: SelectPeer through the Swift client beside the blocking raw client, on one peerd per cell; "
                + "in flight \(ClientCell.inFlight.map(String.init).joined(separator: ", ")), "
                + "\(options.throughputCalls) calls each.")
        for rep in 1...options.reps {
            for layout in options.layouts {
                let cell = try measureClientCell(layout: layout, environment: environment, options: options)
                clientResults[layout, default: []].append(cell)
                progress(
                    "rep \(rep) PeerClient \(layout.name): one in flight p50 \(fixed(cell.client.p50, 2)) us, "
                        + "on the loop \(fixed(cell.clientOnLoop.p50, 2)) us "
                        + "(blocking \(fixed(cell.blocking.p50, 2)) us); "
                        + ClientCell.inFlight.map {
                            "\($0) in flight \(Int(cell.concurrent[$0]?.callsPerSecond ?? 0)) calls/s "
                                + "(raw \(Int(cell.pipelined[$0]?.callsPerSecond ?? 0)))"
                        }.joined(separator: ", "))
            }
        }
    }
    try pinSelf(to: nil)
    if options.persistence { try runPersistence(options, environment: environment) }

    let endJiffies = cpuJiffies()
    let total = Double(endJiffies.total - startJiffies.total)
    print("")
    print(
        "Load average at end: \(loadAverage()); all CPUs busy \(fixed(100 * Double(endJiffies.busy - startJiffies.busy) / max(total, 1), 1))% "
            + "of the run (this benchmark included), steal \(fixed(100 * Double(endJiffies.steal - startJiffies.steal) / max(total, 1), 2))%."
    )

    if options.latency {
        print("")
        print(
            "## SelectPeer round trip (one connection, sequential, \(options.warmup) warm-up + \(options.calls) timed calls per run)"
        )
        print("")
        var table = Table([
            "contender", "layout", "reps", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "calls/s",
            "server CPU µs/call", "server ctx switches/call", "other load %",
        ])
        for layout in options.layouts {
            guard let cell = latencyResults[layout] else { continue }
            for contender in Contender.allCases {
                let runs = cell[contender] ?? []
                table.add([
                    contender.title, layout.name, "\(runs.count)", summary(runs.map(\.p50), 2),
                    summary(runs.map(\.p90), 2),
                    summary(runs.map(\.p99), 1), summary(runs.map(\.p999), 1), summary(runs.map(\.callsPerSecond), 0),
                    summary(runs.map(\.serverCPUPerCall), 2),
                    summary(runs.map(\.serverSwitchesPerCall), 2), summary(runs.map(\.otherLoad), 1),
                ])
            }
        }
        print(table.render())
        print("")
        var ratios = Table([
            "layout", "p50 peerd/raw", "p99 peerd/raw", "p50 peerd − raw µs", "p50 NIO echo/raw",
            "p50 peerd − NIO echo µs",
        ])
        for layout in options.layouts {
            guard let cell = latencyResults[layout] else { continue }
            // Per round: each rep's runs were taken back to back.
            let raw = cell[.raw] ?? []
            let nio = cell[.nio] ?? []
            let peerd = cell[.peerd] ?? []
            ratios.add([
                layout.name, summary(zip(peerd, raw).map { $0.p50 / $1.p50 }, 2),
                summary(zip(peerd, raw).map { $0.p99 / $1.p99 }, 2),
                summary(zip(peerd, raw).map { $0.p50 - $1.p50 }, 2),
                summary(zip(nio, raw).map { $0.p50 / $1.p50 }, 2), summary(zip(peerd, nio).map { $0.p50 - $1.p50 }, 2),
            ])
        }
        print(ratios.render())
    }

    if options.ingest {
        print("")
        print("## Host-event ingest (\(options.events) events per run, rounded up to whole writes)")
        print("")
        var table = Table([
            "path", "layout", "reps", "events/run", "events/s", "peerd CPU ns/event", "peerd ctx switches/1k events",
            "other commands", "other load %",
        ])
        for layout in options.layouts {
            for (name, runs) in [
                ("Host/Attach (Data frames, stream)", attachResults[layout] ?? []),
                ("Host/ReportEvents (unary, 1,000/call)", unaryResults[layout] ?? []),
            ] where !runs.isEmpty {
                table.add([
                    name, layout.name, "\(runs.count)", "\(runs[0].events)", summary(runs.map(\.eventsPerSecond), 0),
                    summary(runs.map(\.cpuPerEvent), 0), summary(runs.map(\.switchesPerThousandEvents), 1),
                    "\(runs.map(\.otherCommands).max() ?? 0)",
                    summary(runs.map(\.otherLoad), 1),
                ])
            }
        }
        print(table.render())
    }

    if options.client {
        printClientTables(clientResults, layouts: options.layouts, options: options)
    }

    print("")
    print("## Goals (issues 5 and 11)")
    print("")
    var loads: [Double] = []
    for cell in latencyResults.values { loads += cell.values.flatMap { $0 }.map(\.otherLoad) }
    for runs in attachResults.values { loads += runs.map(\.otherLoad) }
    for runs in unaryResults.values { loads += runs.map(\.otherLoad) }
    for cells in clientResults.values { loads += cells.flatMap(\.otherLoads) }
    // The measure is coarse (10 ms ticks over cells of a few hundred ms): a few percent is noise.
    if let worst = loads.max(), worst > 10 {
        print(
            "- WARNING: other processes used up to \(fixed(worst, 1))% of the CPUs during a cell "
                + "(\"other load %\"): the numbers are noisy; re-run on a quiet machine.")
    }
    if options.ingest {
        let goal = 300_000.0
        for layout in options.layouts {
            guard let runs = attachResults[layout] else { continue }
            let rate = median(runs.map(\.eventsPerSecond))
            print(
                "- Attach ingest, \(layout.name): \(Int(rate)) events/s (median) vs goal >= 300000: "
                    + (rate >= goal ? "PASS" : "FAIL"))
        }
    }
    if options.latency {
        if let cell = latencyResults[.sameCPU] {
            let peerdP50 = median((cell[.peerd] ?? []).map(\.p50))
            let rawP50 = median((cell[.raw] ?? []).map(\.p50))
            let nioP50 = median((cell[.nio] ?? []).map(\.p50))
            print(
                "- SelectPeer p50, both on CPU 0: peerd \(fixed(peerdP50, 2)) µs vs 2 × raw floor "
                    + "\(fixed(rawP50, 2)) µs = \(fixed(2 * rawP50, 2)) µs (ratio \(fixed(peerdP50 / rawP50, 2))): "
                    + (peerdP50 <= 2 * rawP50 ? "PASS" : "FAIL")
                    + " (for reference: the plain NIO echo of the same bytes, \(fixed(nioP50, 2)) µs, is "
                    + "\(fixed(nioP50 / rawP50, 2)) × raw)")
        } else {
            print("- SelectPeer p50 goal: not measured (the same-CPU layout was not run)")
        }
    }
    if options.client {
        printClientGoals(clientResults, layouts: options.layouts)
    }
}

// MARK: - Entry

installSignalHandlers()
do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    if options.echoServer != nil || options.nioEchoServer != nil {
        guard let file = options.reply else { throw BenchError("an echo server needs --reply FILE") }
        let reply = try readReply(file)
        if let path = options.echoServer { try runEchoServer(path: path, reply: reply) }
        if let path = options.nioEchoServer { try runNIOEchoServer(path: path, reply: reply) }
    }
    try runBenchmark(options)
} catch {
    stopAllChildren()
    progress("sidecar-bench: \(error)")
    exit(1)
}

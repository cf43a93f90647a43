import Dispatch
import NIOCore
import PeerClient
import PeerWire

#if canImport(Glibc)
    import Glibc
#endif

/// The PeerClient contenders (issue 11): SelectPeer through the Swift client library against the
/// same peerd as the blocking raw client, in the same cell, so the ratios compare like with like.
///
/// - one call in flight: PeerClient's round trip beside the blocking client's (goal: p50 <= 1.3x);
/// - N calls in flight on one connection (N tasks, each calling in a loop): calls/s beside the
///   raw floor for the same N, a blocking client that writes N requests in one write(2) and reads
///   the N answers (goal: >= 250k calls/s with 64 in flight).
struct ClientWorkload {
    let selectPeer = PeerManagerV1.SelectPeerRequest(protocol: Wire.storeProtocol)

    /// One call in flight: `warmup` untimed calls, then `calls` timed ones. Every answer is checked.
    /// `onLoop`: the calling task prefers the connection's event loop as its executor.
    func measureSequential(
        _ client: PeerManagerClient, onLoop: Bool, warmup: Int, calls: Int, server: ChildProcess
    ) async throws -> LatencyRun {
        guard onLoop else { return try await measureSequential(client, warmup: warmup, calls: calls, server: server) }
        return try await withTaskExecutorPreference(client.connection.taskExecutor) {
            try await measureSequential(client, warmup: warmup, calls: calls, server: server)
        }
    }

    private func measureSequential(
        _ client: PeerManagerClient, warmup: Int, calls: Int, server: ChildProcess
    ) async throws -> LatencyRun {
        for _ in 0..<warmup { try check(await client.selectPeer(selectPeer)) }
        var samples = [UInt64](repeating: 0, count: calls)
        let load = ForeignLoad(server: server)
        let switchesBefore = server.contextSwitches()
        let cpuBefore = server.cpuNanos()
        let start = monotonicNanos()
        for index in 0..<calls {
            let before = monotonicNanos()
            let reply = try await client.selectPeer(selectPeer)
            samples[index] = monotonicNanos() &- before
            try check(reply)
        }
        let elapsed = monotonicNanos() - start
        return LatencyRun(
            samples: samples, elapsed: elapsed, serverCPU: server.cpuNanos() - cpuBefore, otherLoad: load.percent(),
            serverSwitches: server.contextSwitches() - switchesBefore)
    }

    /// `inFlight` tasks calling in a loop on one connection, `calls` calls in all; `onLoop`: the
    /// tasks prefer the connection's event loop as their executor.
    func measureConcurrent(
        _ client: PeerManagerClient, onLoop: Bool, inFlight: Int, calls: Int, server: ChildProcess
    ) async throws -> ThroughputRun {
        let perTask = max(calls / inFlight, 1)
        let request = selectPeer
        let executor: (any TaskExecutor)? = onLoop ? client.connection.taskExecutor : nil
        // Warm-up: every task a few times.
        try await run(client, request: request, executor: executor, tasks: inFlight, callsPerTask: 100)
        let measurement = ThroughputMeasurement(server: server)
        try await run(client, request: request, executor: executor, tasks: inFlight, callsPerTask: perTask)
        return measurement.finish(calls: perTask * inFlight)
    }

    private func run(
        _ client: PeerManagerClient, request: PeerManagerV1.SelectPeerRequest, executor: (any TaskExecutor)?,
        tasks: Int, callsPerTask: Int
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask(executorPreference: executor) {
                    for _ in 0..<callsPerTask {
                        let reply = try await client.selectPeer(request)
                        guard reply.peer != nil else { throw BenchError("SelectPeer selected no peer") }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private func check(_ reply: PeerManagerV1.SelectPeerResponse) throws {
        guard let peer = reply.peer, peer.protocols.contains(Wire.storeProtocol) else {
            throw BenchError("SelectPeer selected no store peer: \(reply)")
        }
    }

    /// The raw floor for `inFlight` calls in flight: write `inFlight` requests in one write(2),
    /// read the `inFlight` answers (each checked for its type), repeat. Returns the next stream id.
    static func measurePipelined(
        _ socket: BlockingSocket, firstStreamID: UInt32, inFlight: Int, calls: Int, server: ChildProcess
    ) throws -> (ThroughputRun, next: UInt32) {
        let one = SelectPeerWorkload().request
        var burst = [UInt8]()
        for _ in 0..<inFlight { burst += one }
        var streamID = firstStreamID
        func round() throws {
            try burst.withUnsafeMutableBytes { bytes in
                for index in 0..<inFlight {
                    Wire.setStreamID(streamID &+ UInt32(2 * index), in: bytes, at: index * one.count)
                }
                try socket.writeAll(UnsafeRawBufferPointer(bytes))
            }
            for _ in 0..<inFlight {
                let frame = try socket.expectFrame()
                guard frame.type == MessageType.response.rawValue else {
                    throw BenchError("unexpected answer: type \(frame.type) on stream \(frame.streamID)")
                }
            }
            streamID &+= UInt32(2 * inFlight)
        }
        for _ in 0..<max(100 / inFlight, 1) { try round() }
        let rounds = max(calls / inFlight, 1)
        let measurement = ThroughputMeasurement(server: server)
        for _ in 0..<rounds { try round() }
        return (measurement.finish(calls: rounds * inFlight), streamID)
    }
}

/// One timed run of calls with several in flight.
struct ThroughputRun {
    var callsPerSecond: Double
    /// CPU per call (user + system, all threads), in microseconds.
    var serverCPUPerCall: Double
    var clientCPUPerCall: Double
    var serverSwitchesPerCall: Double
    var otherLoad: Double
}

/// Counters taken at the start of a throughput run.
struct ThroughputMeasurement {
    let server: ChildProcess
    let load: ForeignLoad
    let switches: UInt64
    let serverCPU: UInt64
    let clientCPU = selfCPUNanos()
    let start: UInt64

    init(server: ChildProcess) {
        self.server = server
        load = ForeignLoad(server: server)
        switches = server.contextSwitches()
        serverCPU = server.cpuNanos()
        start = monotonicNanos()
    }

    func finish(calls: Int) -> ThroughputRun {
        let elapsed = monotonicNanos() - start
        let count = Double(max(calls, 1))
        return ThroughputRun(
            callsPerSecond: count / (Double(elapsed) / 1e9),
            serverCPUPerCall: Double(server.cpuNanos() - serverCPU) / 1000 / count,
            clientCPUPerCall: Double(selfCPUNanos() - clientCPU) / 1000 / count,
            serverSwitchesPerCall: Double(server.contextSwitches() - switches) / count,
            otherLoad: load.percent())
    }
}

/// Runs async code from the synchronous benchmark (the main thread waits; the work runs on the
/// concurrency pool and the client's event loop).
func blocking<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) throws -> Result {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var outcome: Swift.Result<Result, any Error>?
    Task {
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        done.signal()
    }
    done.wait()
    return try outcome!.get()
}

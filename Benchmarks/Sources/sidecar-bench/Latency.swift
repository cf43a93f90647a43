import NIOCore
import PeerWire

#if canImport(Glibc)
    import Glibc
#endif

/// One timed run of sequential calls.
struct LatencyRun {
    var p50: Double
    var p90: Double
    var p99: Double
    var p999: Double
    var max: Double
    var callsPerSecond: Double
    /// The server's user + system CPU per call (from /proc, 10 ms ticks: coarse).
    var serverCPUPerCall: Double
    /// Percent of all CPUs other processes used meanwhile (see ForeignLoad).
    var otherLoad: Double
    /// The server's context switches (all threads) per call.
    var serverSwitchesPerCall: Double

    /// Nearest-rank percentiles in microseconds (p99.9 of 20,000 = the 20th-largest sample).
    init(samples: [UInt64], elapsed: UInt64, serverCPU: UInt64, otherLoad: Double, serverSwitches: UInt64) {
        let sorted = samples.sorted()
        func rank(_ p: Double) -> Double {
            let index = Swift.max(Int((p * Double(sorted.count)).rounded(.up)) - 1, 0)
            return Double(sorted[Swift.min(index, sorted.count - 1)]) / 1000
        }
        p50 = rank(0.50)
        p90 = rank(0.90)
        p99 = rank(0.99)
        p999 = rank(0.999)
        max = Double(sorted.last ?? 0) / 1000
        callsPerSecond = Double(samples.count) / (Double(elapsed) / 1e9)
        serverCPUPerCall = Double(serverCPU) / 1000 / Double(samples.count)
        self.otherLoad = otherLoad
        serverSwitchesPerCall = Double(serverSwitches) / Double(samples.count)
    }
}

/// SelectPeer over one connection, strictly sequential: write the request, read the answer.
struct SelectPeerWorkload {
    static let storePeers = 1_000
    static let relayPeers = 500

    /// The request frame (stream id patched per call): SelectPeer for the store protocol.
    let request = Wire.request(
        streamID: 1, service: Wire.peerManager, method: "SelectPeer",
        PeerManagerV1.SelectPeerRequest(protocol: Wire.storeProtocol))

    /// The peerd flags for this workload (the store must hold every peer added).
    /// In memory: the store file's cost is measured apart (Persistence.swift).
    static let peerdArguments = ["--peer-store-capacity", "5000", "--no-persistence"]

    /// Fills peerd's store: 1,000 store peers and 500 relay-only peers, all structured records
    /// (no ENR). Returns the next free stream id.
    static func fill(_ socket: BlockingSocket) throws -> UInt32 {
        var id: UInt32 = 1
        for n in 0..<(storePeers + relayPeers) {
            let protocols =
                n < storePeers ? [Wire.storeProtocol, Wire.relayProtocol] : [Wire.relayProtocol]
            let request = PeerManagerV1.AddPeerRequest(
                source: .peer(Peers.record(n + 1, protocols: protocols)), origin: .discv5)
            try socket.writeAll(
                Wire.request(streamID: id, service: Wire.peerManager, method: "AddPeer", request))
            _ = try Wire.okPayload(try socket.expectFrame(), context: "AddPeer")
            id += 2
        }
        return id
    }

    /// One SelectPeer call, decoded and checked; returns the whole response frame's bytes.
    func checkedCall(_ socket: BlockingSocket, streamID: UInt32) throws -> [UInt8] {
        var bytes = request
        bytes.withUnsafeMutableBytes { Wire.setStreamID(streamID, in: $0) }
        try socket.writeAll(bytes)
        let frame = try socket.expectFrame()
        guard frame.streamID == streamID else { throw BenchError("SelectPeer: answer on stream \(frame.streamID)") }
        let payload = try Wire.okPayload(frame, context: "SelectPeer")
        let response = try PeerManagerV1.SelectPeerResponse(wire: payload)
        guard let peer = response.peer, peer.protocols.contains(Wire.storeProtocol) else {
            throw BenchError("SelectPeer selected no store peer: \(response)")
        }
        var header = [UInt8](repeating: 0, count: 10)
        header.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(frame.length).bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: frame.streamID.bigEndian, toByteOffset: 4, as: UInt32.self)
            raw[8] = frame.type
            raw[9] = frame.flags
        }
        return header + frame.bytes
    }

    /// `warmup` untimed calls, then `calls` timed ones, each timed with CLOCK_MONOTONIC around
    /// write + read. Every answer's type and stream id are checked.
    func measure(
        _ socket: BlockingSocket, firstStreamID: UInt32, warmup: Int, calls: Int, server: ChildProcess
    ) throws -> LatencyRun {
        var samples = [UInt64](repeating: 0, count: calls)
        var streamID = firstStreamID
        var request = request
        var elapsed: UInt64 = 0
        var cpu: UInt64 = 0
        var otherLoad = 0.0
        var switches: UInt64 = 0
        try request.withUnsafeMutableBytes { request in
            let bytes = UnsafeRawBufferPointer(request)
            func call() throws {
                Wire.setStreamID(streamID, in: request)
                try socket.writeAll(bytes)
                let frame = try socket.expectFrame()
                guard frame.streamID == streamID, frame.type == MessageType.response.rawValue else {
                    throw BenchError("unexpected answer: type \(frame.type) on stream \(frame.streamID)")
                }
                streamID &+= 2
            }
            for _ in 0..<warmup { try call() }
            let load = ForeignLoad(server: server)
            let switchesBefore = server.contextSwitches()
            let cpuBefore = server.cpuNanos()
            let start = monotonicNanos()
            for index in 0..<calls {
                let before = monotonicNanos()
                try call()
                samples[index] = monotonicNanos() &- before
            }
            elapsed = monotonicNanos() - start
            cpu = server.cpuNanos() - cpuBefore
            otherLoad = load.percent()
            switches = server.contextSwitches() - switchesBefore
        }
        return LatencyRun(
            samples: samples, elapsed: elapsed, serverCPU: cpu, otherLoad: otherLoad, serverSwitches: switches)
    }
}

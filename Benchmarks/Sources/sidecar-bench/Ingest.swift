import NIOCore
import PeerWire

#if canImport(Glibc)
    import Glibc
#endif

/// One ingest run: `events` host events applied in `elapsed` nanoseconds.
struct IngestRun {
    var events: Int
    var elapsed: UInt64
    /// peerd's user + system CPU over the run (from /proc, 10 ms ticks).
    var serverCPU: UInt64
    /// Commands peerd sent that were not the end marker's (e.g. policy disconnects).
    var otherCommands: Int
    /// Percent of all CPUs other processes used meanwhile (see ForeignLoad).
    var otherLoad: Double
    /// peerd's context switches (all threads) over the run.
    var serverSwitches: UInt64

    var eventsPerSecond: Double { Double(events) / (Double(elapsed) / 1e9) }
    var cpuPerEvent: Double { Double(serverCPU) / Double(events) }
    var switchesPerThousandEvents: Double { Double(serverSwitches) * 1000 / Double(events) }
}

/// Host events in bulk, the way a busy host reports them: streamOpened / streamClosed (relay)
/// alternating over `connectedPeers` peers that have a connection open.
///
/// peerd has no acknowledgement per event, so a run ends with a marker it must answer: with
/// `--ip-colocation-limit 1`, two connections from one new IP make peerd send a disconnect for
/// the second on the Attach stream, and it does so only after applying every event before them
/// (the events of one stream are applied in order). The time from the first event written to
/// that command read is the ingest time.
struct IngestWorkload {
    static let connectedPeers = 500
    /// Frames per write(2): one cycle of opened/closed over every connected peer.
    static let framesPerWrite = 2 * connectedPeers
    static let unaryBatch = 1_000

    let events: Int
    /// nil: peerd's default (its backpressure keeps the Attach queue bounded at any rate).
    let maxQueuedMessages: Int?

    var peerdArguments: [String] {
        // In memory: the store file's cost is measured apart (Persistence.swift).
        [
            "--ip-colocation-limit", "1", "--max-connections", "2000", "--peer-store-capacity", "10000",
            "--no-persistence",
        ]
            + (maxQueuedMessages.map { ["--max-queued-messages", "\($0)"] } ?? [])
    }

    /// The number of blocks written: events rounded up to a whole block.
    var blocks: Int { (events + Self.framesPerWrite - 1) / Self.framesPerWrite }
    var blastEvents: Int { blocks * Self.framesPerWrite }

    static let hostID = 999_999
    static let markerBase = 900_000

    static func hello() -> PeerManagerV1.HostHello {
        PeerManagerV1.HostHello(peerID: Peers.id(hostID), online: true)
    }

    static func opened(_ n: Int, connection: UInt64, ip: String? = nil) -> PeerManagerV1.ConnectionOpened {
        PeerManagerV1.ConnectionOpened(
            connectionID: connection, peerID: Peers.id(n), direction: .inbound,
            observedAddress: ip.map { "/ip4/\($0)/tcp/1" } ?? Peers.address(n))
    }

    /// The connections the blast's stream events refer to.
    static func setupEvents() -> [PeerManagerV1.HostEvent.OneOf_Event] {
        (1...connectedPeers).map { .connectionOpened(opened($0, connection: UInt64($0))) }
    }

    /// Two connections from one new IP: peerd disconnects the second one's peer.
    static func marker(_ index: Int) -> (events: [PeerManagerV1.HostEvent.OneOf_Event], peerID: String) {
        let first = markerBase + 2 * index
        let ip = "7.7.\(index / 250).\(index % 250 + 1)"
        return (
            [
                .connectionOpened(opened(first, connection: UInt64(first), ip: ip)),
                .connectionOpened(opened(first + 1, connection: UInt64(first + 1), ip: ip)),
            ], Peers.id(first + 1)
        )
    }

    /// One block of the blast: opened then closed, for every connected peer.
    static func blockEvents() -> [PeerManagerV1.HostEvent.OneOf_Event] {
        (1...connectedPeers).flatMap { n -> [PeerManagerV1.HostEvent.OneOf_Event] in
            let stream = PeerManagerV1.StreamEvent(
                peerID: Peers.id(n), protocol: Wire.relayProtocol, direction: .inbound)
            return [.streamOpened(stream), .streamClosed(stream)]
        }
    }

    // MARK: - Attach (the bidirectional stream)

    /// Reads commands on the Attach stream until the disconnect for `peerID`; counts others.
    private static func awaitDisconnect(
        of peerID: String, on socket: BlockingSocket, streamID: UInt32, otherCommands: inout Int
    ) throws {
        while true {
            let frame = try socket.expectFrame()
            guard frame.streamID == streamID else { continue }
            guard frame.type == MessageType.data.rawValue else {
                let response = try ResponseEnvelope(wire: ByteBuffer(bytes: frame.body))
                throw BenchError("the Attach stream ended: \(response.code) \(response.message)")
            }
            let command = try PeerManagerV1.HostCommand(wire: ByteBuffer(bytes: frame.body))
            if case .disconnect(let disconnect)? = command.command, disconnect.peerID == peerID { return }
            otherCommands += 1
        }
    }

    func runAttach(_ socket: BlockingSocket, server: ChildProcess) throws -> IngestRun {
        let stream: UInt32 = 1
        let attach = Wire.frame(
            streamID: stream, type: .request, flags: .remoteOpen,
            payload: RequestEnvelope(service: Wire.host, method: "Attach").encoded())
        var setup = attach + Wire.event(streamID: stream, .hello(Self.hello()))
        for event in Self.setupEvents() { setup += Wire.event(streamID: stream, event) }
        let (firstMarker, firstMarkerPeer) = Self.marker(0)
        for event in firstMarker { setup += Wire.event(streamID: stream, event) }
        var otherCommands = 0
        try socket.writeAll(setup)
        try Self.awaitDisconnect(of: firstMarkerPeer, on: socket, streamID: stream, otherCommands: &otherCommands)

        let block = Self.blockEvents().flatMap { Wire.event(streamID: stream, $0) }
        let (endMarker, endMarkerPeer) = Self.marker(1)
        let end = endMarker.flatMap { Wire.event(streamID: stream, $0) }
        let load = ForeignLoad(server: server)
        let switchesBefore = server.contextSwitches()
        let cpuBefore = server.cpuNanos()
        let start = monotonicNanos()
        try block.withUnsafeBytes { block in
            for _ in 0..<blocks { try socket.writeAll(block) }
        }
        try socket.writeAll(end)
        try Self.awaitDisconnect(of: endMarkerPeer, on: socket, streamID: stream, otherCommands: &otherCommands)
        let elapsed = monotonicNanos() - start
        return IngestRun(
            events: blastEvents + endMarker.count, elapsed: elapsed, serverCPU: server.cpuNanos() - cpuBefore,
            otherCommands: otherCommands, otherLoad: load.percent(),
            serverSwitches: server.contextSwitches() - switchesBefore)
    }

    // MARK: - ReportEvents (the unary fallback)

    func runUnary(_ socket: BlockingSocket, server: ChildProcess) throws -> IngestRun {
        var streamID: UInt32 = 1
        func call(_ request: PeerManagerV1.ReportEventsRequest) throws -> PeerManagerV1.ReportEventsResponse {
            try socket.writeAll(Wire.request(streamID: streamID, service: Wire.host, method: "ReportEvents", request))
            let frame = try socket.expectFrame()
            streamID += 2
            return try PeerManagerV1.ReportEventsResponse(wire: try Wire.okPayload(frame, context: "ReportEvents"))
        }
        let opened = try call(
            .init(
                sessionID: 0,
                events: [.init(event: .hello(Self.hello()))] + Self.setupEvents().map { .init(event: $0) }))
        let session = opened.sessionID
        guard session > 0, opened.accepted == UInt32(Self.connectedPeers) else {
            throw BenchError("ReportEvents did not open a session: \(opened)")
        }
        // Every batch has the same content (a session id and 1,000 events); only the stream id
        // changes, so it is encoded once.
        let block = Self.blockEvents()
        var batch = [PeerManagerV1.HostEvent]()
        for index in 0..<Self.unaryBatch { batch.append(.init(event: block[index % block.count])) }
        var request = Wire.request(
            streamID: 1, service: Wire.host, method: "ReportEvents",
            PeerManagerV1.ReportEventsRequest(sessionID: session, events: batch))
        let calls = (events + Self.unaryBatch - 1) / Self.unaryBatch
        let load = ForeignLoad(server: server)
        let switchesBefore = server.contextSwitches()
        let cpuBefore = server.cpuNanos()
        let start = monotonicNanos()
        try request.withUnsafeMutableBytes { request in
            for index in 0..<calls {
                Wire.setStreamID(streamID, in: request)
                try socket.writeAll(UnsafeRawBufferPointer(request))
                let frame = try socket.expectFrame()
                guard frame.type == MessageType.response.rawValue, frame.streamID == streamID else {
                    throw BenchError("ReportEvents: unexpected frame type \(frame.type) on \(frame.streamID)")
                }
                if index == 0 || index == calls - 1 {
                    let response = try PeerManagerV1.ReportEventsResponse(
                        wire: try Wire.okPayload(frame, context: "ReportEvents"))
                    guard response.accepted == UInt32(Self.unaryBatch) else {
                        throw BenchError("ReportEvents accepted \(response.accepted) of \(Self.unaryBatch)")
                    }
                }
                streamID += 2
            }
        }
        let elapsed = monotonicNanos() - start
        return IngestRun(
            events: calls * Self.unaryBatch, elapsed: elapsed, serverCPU: server.cpuNanos() - cpuBefore,
            otherCommands: 0, otherLoad: load.percent(),
            serverSwitches: server.contextSwitches() - switchesBefore)
    }
}

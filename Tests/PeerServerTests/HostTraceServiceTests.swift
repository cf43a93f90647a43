import Foundation
import Logging
import PeerCore
import PeerIdentity
import PeerServer
import PeerTestSupport
import PeerTrace
import PeerWire
import Testing

/// `--record-host-trace` in-process: a host attached over the real socket reports events, a
/// client adds peers, the engine dials; the trace file holds exactly that, in order.
@Suite("Host trace recording", .timeLimit(.minutes(1)))
struct HostTraceServiceTests {
    static let logger = Logger(label: "trace-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func traceFile() throws -> (path: String, directory: String) {
        let directory = try InProcessSidecar.makeSocketDirectory()
        return ("\(directory)/trace.jsonl", directory)
    }

    static func header() -> TraceHeader {
        TraceHeader(started: WallClock().now(), clusterID: nil, shards: [], maxConnections: 50)
    }

    static func read(_ path: String) throws -> HostTrace {
        try TraceDecoder().decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("the trace decodes to the peers added, the session, the commands sent and the events reported, in order")
    func recordsASession() async throws {
        let (path, directory) = try Self.traceFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try HostTraceRecorder(path: path, header: Self.header(), logger: Self.logger)
        let (sentEvents, receivedCommands) = try await InProcessSidecar.run(
            configure: {
                $0.connectivityInterval = .milliseconds(50)
                $0.minimumConnectivityInterval = .milliseconds(10)
                $0.requestMetadataOnJoin = false
            }, hostTrace: recorder
        ) { sidecar in
            try await onThread { () throws -> ([HostEvent], [IssuedCommand]) in
                let client = try SocketClient(path: sidecar.socketPath)
                for n in 1...2 {
                    let added = try client.call(
                        UInt32(2 * n - 1), PeerManagerV1.PeerManager.addPeer,
                        payload: PeerManagerV1.AddPeerRequest(
                            source: .peer(InProcessServiceTests.peer(n)), origin: .discv5
                        )
                        .encoded())
                    #expect(added.code == .ok)
                }
                let host = try SocketClient(path: sidecar.socketPath, receiveTimeout: .seconds(10))
                try InProcessServiceTests.attach(host)
                var received: [IssuedCommand] = []
                var sent: [HostEvent] = []
                func send(_ event: PeerManagerV1.HostEvent.OneOf_Event, _ engineEvent: HostEvent) throws {
                    try host.send(
                        Frame(streamID: 1, type: .data, payload: PeerManagerV1.HostEvent(event: event).encoded()))
                    sent.append(engineEvent)
                }
                // Both peers are dialled; peer 1 connects, peer 2 refuses.
                while received.count < 2 {
                    let frame = try host.readFrame()
                    guard frame.type == .data else { continue }
                    let command = try PeerManagerV1.HostCommand(wire: frame.payload)
                    guard case .dial(let dial)? = command.command else { continue }
                    let peer = try PeerID(dial.peerID)
                    received.append(
                        IssuedCommand(
                            id: CommandID(command.commandID),
                            command: .dial(
                                peer: peer, addresses: try dial.addresses.map { try Multiaddr($0) },
                                timeout: .milliseconds(Int64(dial.timeoutMs)),
                                protocolID: dial.protocol.isEmpty ? nil : dial.protocol)))
                    if dial.peerID == InProcessServiceTests.peerID(1) {
                        let address = "/ip4/10.0.0.1/tcp/60000"
                        try send(
                            .connectionOpened(
                                .init(
                                    connectionID: 1, peerID: dial.peerID, direction: .outbound, observedAddress: address
                                )),
                            .connectionOpened(
                                ConnectionID(1), peer: peer, direction: .outbound,
                                observedAddress: try Multiaddr(address)))
                        try send(
                            .commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))),
                            .commandCompleted(CommandID(command.commandID), .succeeded))
                    } else {
                        try send(
                            .commandResult(.init(commandID: command.commandID, outcome: .failed("connection refused"))),
                            .commandCompleted(CommandID(command.commandID), .failed(reason: "connection refused")))
                    }
                }
                try send(.connectionClosed(.init(connectionID: 1)), .connectionClosed(ConnectionID(1)))
                // Applied when peer 1 is no longer connected.
                let peer1 = try PeerID(InProcessServiceTests.peerID(1))
                let deadline = ContinuousClock.now + .seconds(10)
                while sidecar.sidecar.runtime.read({ engine, _, _ in engine.store.record(peer1)?.connectedness })
                    != .canConnect
                {
                    guard ContinuousClock.now < deadline else { throw InProcessTestError.timedOut("connection closed") }
                    usleep(5000)
                }
                return (sent, received)
            }
        }
        recorder.close()
        let trace = try Self.read(path)
        let records = trace.entries.map(\.record)
        // The peers added, with their origin, first.
        let added = records.compactMap {
            if case .peerAdded(let info, let origin) = $0 { (info.id, origin) } else { nil }
        }
        #expect(added.map(\.0) == (try [1, 2].map { try PeerID(InProcessServiceTests.peerID($0)) }))
        #expect(added.allSatisfy { $0.1 == .discv5 })
        // The session: attached with the hello's id, detached at shutdown, last.
        guard
            case .session(.attached(_, let selfID, _, _, _, _))? = records.first(where: {
                if case .session = $0 { true } else { false }
            })
        else {
            Issue.record("no attach record")
            return
        }
        #expect(selfID.description == InProcessServiceTests.peerID(9999))
        guard case .session(.detached(_, let reason))? = records.last else {
            Issue.record("the last record is not the detach")
            return
        }
        // The in-process group cancels the Attach stream; peerd's own shutdown says "shutting down".
        #expect(!reason.isEmpty)
        // Exactly the events the host sent, and the commands it received first among those sent.
        #expect(records.compactMap { if case .event(let event) = $0 { event } else { nil } } == sentEvents)
        let commands = records.compactMap { if case .command(let command) = $0 { command } else { nil } }
        #expect(Array(commands.prefix(receivedCommands.count)) == receivedCommands)
        // Each record after the one that caused it: a dial's result after the dial.
        let firstDial = try #require(records.firstIndex { if case .command = $0 { true } else { false } })
        let firstResult = try #require(
            records.firstIndex { if case .event(.commandCompleted) = $0 { true } else { false } })
        #expect(firstDial < firstResult)
        #expect(trace.entries.map(\.milliseconds) == trace.entries.map(\.milliseconds).sorted())
        #expect(recorder.droppedRecords == 0)
    }

    @Test("GetConfiguration reports the trace path")
    func configurationReportsPath() async throws {
        let (path, directory) = try Self.traceFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try HostTraceRecorder(path: path, header: Self.header(), logger: Self.logger)
        defer { recorder.close() }
        try await InProcessSidecar.run(hostTrace: recorder) { sidecar in
            let reply = try await onThread {
                try SocketClient(path: sidecar.socketPath).call(
                    1, PeerManagerV1.PeerManager.getConfiguration,
                    payload: PeerManagerV1.GetConfigurationRequest().encoded())
            }
            #expect(try PeerManagerV1.Configuration(wire: reply.payload).hostTracePath == path)
        }
        try await InProcessSidecar.run { sidecar in
            let reply = try await onThread {
                try SocketClient(path: sidecar.socketPath).call(
                    1, PeerManagerV1.PeerManager.getConfiguration,
                    payload: PeerManagerV1.GetConfigurationRequest().encoded())
            }
            #expect(try PeerManagerV1.Configuration(wire: reply.payload).hostTracePath == "")
        }
    }

    static func closed(_ n: UInt64) -> TraceRecord { .event(.connectionClosed(ConnectionID(n))) }

    @Test("at the size limit recording stops and the file is still a valid trace within the limit")
    func sizeLimit() throws {
        let (path, directory) = try Self.traceFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let header = Self.header()
        let start = header.started
        let recorder = try HostTraceRecorder(path: path, header: header, maxBytes: 4096, logger: Self.logger)
        for n in 0..<1000 { recorder.record(Self.closed(UInt64(n)), at: start + .milliseconds(Int64(n))) }
        recorder.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size <= 4096)
        let trace = try Self.read(path)
        #expect(trace.entries.count > 10)
        #expect(trace.entries.count < 1000)
        // The records kept are the first ones, in order.
        #expect(trace.entries.map(\.record) == (0..<trace.entries.count).map { Self.closed(UInt64($0)) })
        // Later records are ignored, not written past the limit.
        recorder.record(Self.closed(5000), at: start + .seconds(5))
        #expect(try Self.read(path) == trace)
    }

    @Test("a writer that falls behind drops records, counts them and marks the place with a gap record")
    func dropsWithGap() throws {
        let (path, directory) = try Self.traceFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let header = Self.header()
        let start = header.started
        let recorder = try HostTraceRecorder(path: path, header: header, queueLimit: 4, logger: Self.logger)
        // Ten records at once: four fit the queue, six are dropped.
        for n in 0..<10 { recorder.record(Self.closed(UInt64(n)), at: start) }
        #expect(recorder.droppedRecords == 6)
        // Once the writer took the queue, the next record comes after a gap record.
        let deadline = ContinuousClock.now + .seconds(10)
        while try Self.read(path).entries.count < 4 {
            guard ContinuousClock.now < deadline else { throw InProcessTestError.timedOut("flush") }
            usleep(10_000)
        }
        recorder.record(Self.closed(10), at: start + .milliseconds(5))
        recorder.close()
        let trace = try Self.read(path)
        #expect(
            trace.entries.map(\.record) == (0..<4).map { Self.closed(UInt64($0)) } + [
                .gap(dropped: 6), Self.closed(10),
            ])
        #expect(trace.entries.last?.milliseconds == 5)
    }
}

import Foundation
import PeerCore
import PeerIdentity
import PeerTestSupport
import PeerTrace
import PeerWire
import Testing

/// `peerd --record-host-trace` as a process: a scripted host attaches and reports, a client adds
/// a peer, peerd stops on SIGTERM; the file is a valid trace of it.
@Suite("peerd host trace")
struct HostTraceProcessTests {
    @Test("peerd --record-host-trace writes a valid trace, closed at shutdown")
    func writesTrace() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/trace.jsonl"
        let port = try PeerdProcess.freePort()
        let peerd = try PeerdProcess(arguments: [
            "--record-host-trace", path, "--cluster-id", "1", "--shard", "0", "--metrics-address", "127.0.0.1:\(port)",
        ])
        let client = try PeerManagerClient(socketPath: peerd.socketPath)
        let configuration = try client.call(PeerManagerV1.PeerManager.getConfiguration, .init())
        #expect(configuration.hostTracePath == path)
        try client.call(PeerManagerV1.PeerManager.addPeer, .init(source: .peer(TestPeers.peer(1)), origin: .discv5))
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(PeerManagerV1.HostHello(peerID: TestPeers.id(9999), clusterID: 1, shards: [0], online: true))
        try host.send(
            .connectionOpened(
                .init(
                    connectionID: 4, peerID: TestPeers.id(2), direction: .inbound,
                    observedAddress: "/ip4/10.0.0.9/tcp/1")))
        try host.send(.connectionClosed(.init(connectionID: 4)))
        // The events are applied when the close is in the books.
        try waitFor(peerd) {
            let peer = try? client.call(PeerManagerV1.PeerManager.getPeer, .init(peerID: TestPeers.id(2)))
            return peer?.connectedness == .canConnect
        }
        let scrape = try PeerdProcess.httpGet(port: port, path: "/metrics")
        #expect(scrape.body.contains("peerd_trace_records_dropped_total 0"), "\(scrape.body)")
        #expect(peerd.stop() == 0, "\(peerd.logTail())")
        #expect(peerd.log().contains("recording the host trace"))

        let trace = try TraceDecoder().decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(trace.header.clusterID == 1)
        #expect(trace.header.shards == [0])
        #expect(trace.header.maxConnections == 50)
        let records = trace.entries.map(\.record)
        let peer2 = try PeerID(TestPeers.id(2))
        let events = records.compactMap { if case .event(let event) = $0 { event } else { nil } }
        #expect(
            events == [
                .connectionOpened(
                    ConnectionID(4), peer: peer2, direction: .inbound,
                    observedAddress: try Multiaddr("/ip4/10.0.0.9/tcp/1")),
                .connectionClosed(ConnectionID(4)),
            ])
        #expect(
            records.contains {
                if case .peerAdded(let info, .discv5) = $0 { info.id.description == TestPeers.id(1) } else { false }
            })
        #expect(records.contains { if case .session(.attached) = $0 { true } else { false } })
        guard case .session(.detached(_, let reason))? = records.last else {
            Issue.record("the trace does not end with the detach: \(records.last.map { "\($0)" } ?? "empty")")
            return
        }
        #expect(reason.contains("shutting down"))
    }

    @Test("--help explains --record-host-trace and its size limit")
    func help() throws {
        let help = try ChildProcess.run(PeerdProcess.binary.path, ["--help"])
        #expect(help.status == 0)
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("--record-host-trace <path>"))
        #expect(text.contains("Record the host trace to this file"))
        #expect(text.contains("--record-host-trace-max-bytes <bytes>"))
        #expect(text.contains("(4096 to 1099511627776)"))
    }

    @Test("a trace file that cannot be created stops peerd at start, naming it")
    func uncreatable() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = "\(directory)/s.sock"
        let run = try ChildProcess.run(
            PeerdProcess.binary.path,
            [
                "--socket", socket, "--no-metrics", "--no-persistence", "--record-host-trace",
                "\(directory)/missing/trace.jsonl",
            ],
            timeout: .seconds(30))
        #expect(run.status == 1)
        #expect(
            run.stderr.contains("cannot create the host trace file \(directory)/missing/trace.jsonl"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test("a trace size out of range is refused at start", arguments: ["100", "2000000000000"])
    func sizeRefused(value: String) throws {
        let run = try ChildProcess.run(
            PeerdProcess.binary.path,
            ["--no-metrics", "--record-host-trace", "/tmp/x", "--record-host-trace-max-bytes", value])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--record-host-trace-max-bytes: "))
    }
}

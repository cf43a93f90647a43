import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// Host sessions under stress (issue 8, findings 7, 8 and 12): long polls, concurrent polls, a
/// refused take-over, a host that never takes its commands. The real peerd over its real socket.
@Suite("Host sessions: liveness, one consumer, validate-then-commit, bounded queue")
struct HostSessionTests {
    static let host = PeerManagerV1.Host.serviceName

    /// Opens a unary session with `hello` and returns its id.
    static func openUnary(
        _ client: PeerManagerClient, _ hello: PeerManagerV1.HostHello = SidecarHostTests.hello(),
        events: [PeerManagerV1.HostEvent] = []
    ) throws -> UInt64 {
        let opened: PeerManagerV1.ReportEventsResponse = try client.call(
            "ReportEvents",
            PeerManagerV1.ReportEventsRequest(sessionID: 0, events: [.init(event: .hello(hello))] + events),
            service: host)
        return opened.sessionID
    }

    /// A peer the connectivity loop leaves alone (no relay), for Connect to dial.
    static let store = ["/vac/waku/store-query/3.0.0"]

    static func statistics(_ admin: PeerManagerClient) throws -> PeerManagerV1.Statistics {
        try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
    }

    @Test("A long poll longer than the session timeout keeps the session: a poll in progress is a live host")
    func longPollKeepsSession() throws {
        let peerd = try PeerdProcess(arguments: ["--host-session-timeout", "1"])
        let client = try PeerManagerClient(socketPath: peerd.socketPath)
        let session = try Self.openUnary(client)
        // 3 s of waiting, three times the session timeout, well under the documented 60 s maximum.
        let polled: PeerManagerV1.PollCommandsResponse = try client.call(
            PeerManagerV1.Host.pollCommands, PeerManagerV1.PollCommandsRequest(sessionID: session, waitMs: 3000))
        #expect(polled.commands.isEmpty)
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        #expect(try Self.statistics(admin).hostAttached)
        // The session still works, and still expires once the host stops calling.
        let again: PeerManagerV1.PollCommandsResponse = try client.call(
            PeerManagerV1.Host.pollCommands, PeerManagerV1.PollCommandsRequest(sessionID: session, waitMs: 0))
        #expect(again.commands.isEmpty)
        try waitFor(peerd) { try !Self.statistics(admin).hostAttached }
    }

    @Test("Two concurrent polls on one session: the newer supersedes, the older answers at once; none hangs")
    func concurrentPolls() throws {
        let peerd = try PeerdProcess()
        let opener = try PeerManagerClient(socketPath: peerd.socketPath)
        let session = try Self.openUnary(opener)
        let first = try SocketClient(path: peerd.socketPath, receiveTimeout: .seconds(8))
        let second = try SocketClient(path: peerd.socketPath, receiveTimeout: .seconds(8))
        let poll = PeerManagerV1.PollCommandsRequest(sessionID: session, waitMs: 2000).encoded()
        let started = ContinuousClock.now
        try first.request(1, PeerManagerV1.Host.pollCommands, payload: poll)
        usleep(300_000)  // the first poll is waiting
        try second.request(1, PeerManagerV1.Host.pollCommands, payload: poll)
        let older = try first.readResponse().response
        let olderTook = ContinuousClock.now - started
        #expect(older.code == .ok)
        #expect(olderTook < .milliseconds(1500), "the superseded poll answers at once, took \(olderTook)")
        #expect(try PeerManagerV1.PollCommandsResponse(wire: older.payload).commands.isEmpty)
        let newer = try second.readResponse().response
        #expect(newer.code == .ok)
        #expect(ContinuousClock.now - started >= .milliseconds(2000))

        // Commands still reach the poll that is left.
        try second.request(3, PeerManagerV1.Host.pollCommands, payload: poll)
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(1))))
        let _: PeerManagerV1.ReconnectResponse = try admin.call(
            PeerManagerV1.PeerManager.reconnect, PeerManagerV1.ReconnectRequest())
        let delivered = try second.readResponse().response
        #expect(delivered.code == .ok)
        #expect(try PeerManagerV1.PollCommandsResponse(wire: delivered.payload).commands.count == 1)
    }

    @Test("PollCommands naming an Attach session is FAILED_PRECONDITION: its commands go to its stream")
    func pollOfStreamSession() throws {
        let peerd = try PeerdProcess()
        let stream = try ScriptedHost(socketPath: peerd.socketPath)
        try stream.attach(SidecarHostTests.hello())
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) { try Self.statistics(admin).hostAttached }
        // Sessions are numbered from 1: the Attach stream's is 1.
        do {
            let _: PeerManagerV1.PollCommandsResponse = try admin.call(
                PeerManagerV1.Host.pollCommands, PeerManagerV1.PollCommandsRequest(sessionID: 1, waitMs: 0))
            Issue.record("PollCommands took an Attach session's commands")
        } catch let error as RPCError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("Attach"), "\(error.message)")
        }
        // The stream still gets its commands.
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(1))))
        let _: PeerManagerV1.ReconnectResponse = try admin.call(
            PeerManagerV1.PeerManager.reconnect, PeerManagerV1.ReconnectRequest())
        guard case .dial? = try stream.nextCommand().command else {
            Issue.record("expected a dial on the Attach stream")
            return
        }
    }

    @Test("A refused take-over changes nothing: the host stays attached and a waiting Connect gets its outcome")
    func refusedTakeOver() throws {
        let peerd = try PeerdProcess(arguments: ["--cluster-id", "1", "--shard", "0"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello(1, clusterID: 1, connections: [SidecarHostTests.opened(7, conn: 70)]))
        try waitFor(peerd) { try Self.statistics(admin).connected == 1 }
        _ = try host.nextCommand()  // the metadata request for peer 7
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer,
            PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(5, protocols: Self.store))))

        // A Connect that waits for the host's outcome.
        let connect = try SocketClient(path: peerd.socketPath, receiveTimeout: .seconds(8))
        try connect.request(
            1, PeerManagerV1.PeerManager.connect,
            payload: PeerManagerV1.ConnectRequest(peers: [TestPeers.id(5)]).encoded())
        let dial = try host.nextCommand()
        guard case .dial? = dial.command else {
            Issue.record("expected a dial, got \(dial)")
            return
        }

        // Another cluster, with take_over: refused, and nothing changed.
        let intruder = try ScriptedHost(socketPath: peerd.socketPath)
        try intruder.attach(SidecarHostTests.hello(2, clusterID: 2, takeOver: true))
        #expect(throws: ScriptedHostError.self) { try intruder.nextCommand() }
        let stats = try Self.statistics(admin)
        #expect(stats.hostAttached)
        #expect(stats.online)
        #expect(stats.connected == 1)

        // The attached host still answers the dial, and Connect hears it.
        try host.send(
            .connectionOpened(
                .init(
                    connectionID: 71, peerID: TestPeers.id(5), direction: .outbound,
                    observedAddress: "/ip4/10.0.0.6/tcp/60000")))
        try host.send(.commandResult(.init(commandID: dial.commandID, outcome: .succeeded(true))))
        let answer = try connect.readResponse().response
        #expect(answer.code == .ok)
        let outcomes = try PeerManagerV1.ConnectResponse(wire: answer.payload).outcomes
        #expect(outcomes.first?.connected == true)
    }

    @Test("Every detach ends the Connect calls waiting on the host's outcomes: replaced, timed out, shut down")
    func detachEndsWaitingConnect() throws {
        let peerd = try PeerdProcess(arguments: ["--host-session-timeout", "1"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        for n in 1...3 {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer,
                PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n, protocols: Self.store))))
        }
        /// Starts a Connect to peer `n` that waits for the host's outcome.
        func connect(_ n: Int) throws -> SocketClient {
            let client = try SocketClient(path: peerd.socketPath, receiveTimeout: .seconds(8))
            try client.request(
                1, PeerManagerV1.PeerManager.connect,
                payload: PeerManagerV1.ConnectRequest(peers: [TestPeers.id(n)]).encoded())
            return client
        }
        func expectDetached(_ client: SocketClient, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let answer = try client.readResponse().response
            #expect(answer.code == .ok, sourceLocation: sourceLocation)
            let outcome = try #require(
                try PeerManagerV1.ConnectResponse(wire: answer.payload).outcomes.first, sourceLocation: sourceLocation)
            #expect(!outcome.connected, sourceLocation: sourceLocation)
            #expect(outcome.error == "host detached", sourceLocation: sourceLocation)
        }

        // Replaced: a stream host takes its dial, then a unary host takes over.
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        try waitFor(peerd) { try Self.statistics(admin).hostAttached }
        let first = try connect(1)
        _ = try host.nextCommand()
        let unary = try PeerManagerClient(socketPath: peerd.socketPath)
        _ = try Self.openUnary(unary, SidecarHostTests.hello(takeOver: true))
        try expectDetached(first)

        // Timed out: the unary host never calls again; its session ends after 1 s.
        let second = try connect(2)
        try expectDetached(second)
        #expect(try !Self.statistics(admin).hostAttached)

        // Shut down: SIGTERM detaches the host; the waiting call ends before the grace period.
        let last = try ScriptedHost(socketPath: peerd.socketPath)
        try last.attach(SidecarHostTests.hello())
        try waitFor(peerd) { try Self.statistics(admin).hostAttached }
        let third = try connect(3)
        _ = try last.nextCommand()
        peerd.signal(SIGTERM)
        try expectDetached(third)
    }

    @Test("A unary host that reports but never polls is detached once its command queue is full")
    func commandQueueBound() throws {
        let peerd = try PeerdProcess(arguments: [
            "--cluster-id", "1", "--shard", "0", "--max-connections", "100000", "--ip-colocation-limit", "0",
        ])
        let client = try PeerManagerClient(socketPath: peerd.socketPath)
        let session = try Self.openUnary(client, SidecarHostTests.hello(clusterID: 1))
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        // Every connection on a configured cluster gets a metadata request: one command each.
        var refusal: RPCError?
        var reported = 0
        while refusal == nil, reported < 12_000 {
            let events = (reported..<reported + 500).map { n in
                PeerManagerV1.HostEvent(event: .connectionOpened(SidecarHostTests.opened(n + 1, conn: UInt64(n + 1))))
            }
            do {
                let _: PeerManagerV1.ReportEventsResponse = try client.call(
                    PeerManagerV1.Host.reportEvents,
                    PeerManagerV1.ReportEventsRequest(sessionID: session, events: events))
            } catch let error as RPCError {
                refusal = error
            }
            reported += 500
        }
        let error = try #require(refusal, "10,000 unpolled commands were queued")
        #expect(error.code == .resourceExhausted)
        #expect(error.message.contains("--max-queued-commands"), "\(error.message)")
        let stats = try Self.statistics(admin)
        #expect(!stats.hostAttached)
        #expect(stats.connected == 0)
        #expect(throws: RPCError.self) {
            let _: PeerManagerV1.PollCommandsResponse = try client.call(
                PeerManagerV1.Host.pollCommands, PeerManagerV1.PollCommandsRequest(sessionID: session))
        }
    }
}

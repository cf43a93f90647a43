import NIOCore
import PeerServer
import PeerTestSupport
import PeerWire
import Testing

/// nwaku's embedder API over the real socket of an in-process sidecar (issue 11, item 4):
/// DisconnectAll, Connect for a protocol, and the connection status in Statistics and Watch.
@Suite("Embedder API in-process", .timeLimit(.minutes(1)))
struct EmbedderAPIServiceTests {
    typealias Base = InProcessServiceTests
    static let peerManager = Base.peerManager
    static let relay = "/vac/waku/relay/2.0.0"

    /// Sends host events on the Attach stream (stream 1).
    static func send(_ host: SocketClient, _ events: [PeerManagerV1.HostEvent.OneOf_Event]) throws {
        for event in events {
            try host.send(Frame(streamID: 1, type: .data, payload: PeerManagerV1.HostEvent(event: event).encoded()))
        }
    }

    /// A relay peer's connection opening and its identify.
    static func relayPeerJoins(_ n: Int) -> [PeerManagerV1.HostEvent.OneOf_Event] {
        [
            .connectionOpened(
                .init(
                    connectionID: UInt64(n), peerID: Base.peerID(n), direction: .inbound,
                    observedAddress: "/ip4/10.0.1.\(n)/tcp/4000")),
            .identified(.init(peerID: Base.peerID(n), protocols: [relay])),
        ]
    }

    /// The next command on the host's Attach stream that `matching` accepts (others are skipped:
    /// the connectivity loop may dial meanwhile).
    static func nextCommand(
        _ host: SocketClient, matching: (PeerManagerV1.HostCommand) -> Bool
    ) throws -> PeerManagerV1.HostCommand {
        while true {
            let frame = try host.readFrame()
            guard frame.type == .data, frame.streamID == 1 else { continue }
            let command = try PeerManagerV1.HostCommand(wire: frame.payload)
            if matching(command) { return command }
        }
    }

    static func statistics(_ client: SocketClient, _ id: UInt32) throws -> PeerManagerV1.Statistics {
        let response = try client.call(
            id, peerManager, "GetStatistics", payload: PeerManagerV1.GetStatisticsRequest().encoded())
        try #require(response.code == .ok)
        return try PeerManagerV1.Statistics(wire: response.payload)
    }

    @Test("DisconnectAll: FAILED_PRECONDITION without a host; with one, every connected peer gets a disconnect")
    func disconnectAll() async throws {
        try await InProcessSidecar.run { sidecar in
            let admin = try await onThread { try SocketClient(path: sidecar.socketPath) }
            try await onThread {
                let refused = try admin.call(
                    1, Self.peerManager, "DisconnectAll", payload: PeerManagerV1.DisconnectAllRequest().encoded())
                #expect(refused.code == .failedPrecondition)
            }
            let host = try await onThread { try SocketClient(path: sidecar.socketPath) }
            try await onThread { try Base.attach(host) }
            try await Base.waitUntilAttached(sidecar)
            try await onThread {
                try Self.send(host, Self.relayPeerJoins(1) + Self.relayPeerJoins(2))
                // The events are applied in order on the stream: wait until both peers count.
                var connected: UInt32 = 0
                for id in stride(from: UInt32(3), to: 403, by: 2) where connected < 2 {
                    connected = try Self.statistics(admin, id).connected
                }
                try #require(connected == 2)
                // One of them protected: DisconnectAll is a request, protection is against policy.
                let protect = try admin.call(
                    501, Self.peerManager, "Protect",
                    payload: PeerManagerV1.ProtectRequest(peerID: Base.peerID(1), tag: "keep").encoded())
                #expect(protect.code == .ok)
                let response = try admin.call(
                    503, Self.peerManager, "DisconnectAll", payload: PeerManagerV1.DisconnectAllRequest().encoded())
                #expect(response.code == .ok)
                #expect(try PeerManagerV1.DisconnectAllResponse(wire: response.payload).disconnected == 2)
                var disconnected: Set<String> = []
                while disconnected.count < 2 {
                    let command = try Self.nextCommand(host) {
                        if case .disconnect = $0.command { true } else { false }
                    }
                    if case .disconnect(let disconnect)? = command.command {
                        #expect(disconnect.reason == "disconnect_requested")
                        disconnected.insert(disconnect.peerID)
                    }
                }
                #expect(disconnected == [Base.peerID(1), Base.peerID(2)])
            }
        }
    }

    @Test("Connect with a protocol: the host's dial carries it, and its success answers the call")
    func connectForProtocol() async throws {
        let store = "/vac/waku/store-query/3.0.0"
        try await InProcessSidecar.run { sidecar in
            let host = try await onThread { try SocketClient(path: sidecar.socketPath) }
            try await onThread { try Base.attach(host) }
            try await Base.waitUntilAttached(sidecar)
            let target = Base.peerID(5)
            // The call waits for the host: it runs on its own thread while the host answers.
            async let outcome = onThread { () -> PeerManagerV1.ConnectResponse in
                let client = try SocketClient(path: sidecar.socketPath)
                let response = try client.call(
                    1, Self.peerManager, "Connect",
                    payload: PeerManagerV1.ConnectRequest(
                        peers: ["/ip4/10.0.0.5/tcp/60000/p2p/\(target)"], protocol: store
                    ).encoded())
                try #require(response.code == .ok)
                return try PeerManagerV1.ConnectResponse(wire: response.payload)
            }
            try await onThread {
                let command = try Self.nextCommand(host) {
                    if case .dial(let dial)? = $0.command { dial.peerID == target } else { false }
                }
                guard case .dial(let dial)? = command.command else { return }
                #expect(dial.protocol == store)
                #expect(dial.addresses == ["/ip4/10.0.0.5/tcp/60000"])
                try Self.send(
                    host,
                    [
                        .connectionOpened(
                            .init(
                                connectionID: 5, peerID: target, direction: .outbound,
                                observedAddress: "/ip4/10.0.0.5/tcp/60000")),
                        .commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))),
                    ])
            }
            let response = try await outcome
            #expect(response.outcomes.map(\.connected) == [true])
            #expect(response.outcomes.map(\.peerID) == [target])
        }
    }

    @Test("The connection status: in Statistics, and a Watch that asks for it sees each change")
    func connectionStatus() async throws {
        try await InProcessSidecar.run { sidecar in
            let host = try await onThread { try SocketClient(path: sidecar.socketPath) }
            try await onThread { try Base.attach(host) }
            try await Base.waitUntilAttached(sidecar)
            try await onThread {
                let admin = try SocketClient(path: sidecar.socketPath)
                #expect(try Self.statistics(admin, 1).connectionStatus == .disconnected)

                let watcher = try SocketClient(path: sidecar.socketPath, receiveTimeout: .milliseconds(200))
                try watcher.request(
                    1, Self.peerManager, "Watch",
                    payload: PeerManagerV1.WatchRequest(decisions: true, connectionStatus: true).encoded(),
                    flags: .remoteClosed)
                // The Watch registers asynchronously: add probe peers until a decision shows up.
                var registered = false
                for n in 0..<50 where !registered {
                    let response = try admin.call(
                        UInt32(2 * n + 3), Self.peerManager, "AddPeer",
                        payload: PeerManagerV1.AddPeerRequest(source: .peer(Base.peer(100 + n))).encoded())
                    #expect(response.code == .ok)
                    if let frame = try? watcher.readFrame(), frame.type == .data { registered = true }
                }
                try #require(registered)
                watcher.setReceiveTimeout(.seconds(10))

                // One relay peer: partially connected (nwaku: relay peers > 0 but < dLow 4).
                try Self.send(host, Self.relayPeerJoins(1))
                let first = try Self.nextStatus(watcher)
                #expect(first.previous == .disconnected)
                #expect(first.status == .partiallyConnected)
                #expect(try Self.statistics(admin, 201).connectionStatus == .partiallyConnected)
                // Four: connected.
                try Self.send(host, Self.relayPeerJoins(2) + Self.relayPeerJoins(3) + Self.relayPeerJoins(4))
                let second = try Self.nextStatus(watcher)
                #expect(second.previous == .partiallyConnected)
                #expect(second.status == .connected)
                #expect(try Self.statistics(admin, 203).connectionStatus == .connected)
            }
        }
    }

    /// The next connection-status event on a Watch stream (decisions are skipped).
    static func nextStatus(_ watcher: SocketClient) throws -> PeerManagerV1.ConnectionStatusEvent {
        while true {
            let frame = try watcher.readFrame()
            try #require(frame.type == .data)
            if case .connectionStatus(let event)? = try PeerManagerV1.WatchEvent(wire: frame.payload).event {
                return event
            }
        }
    }
}

import Foundation
import NIOCore
import PeerIdentity
import PeerServer
import PeerTestSupport
import PeerWire
import Testing

/// The services over the real Unix socket of a sidecar run in-process: no binary, no child
/// process. What only the binary does (flags, signals, the socket file) stays in peerdTests.
@Suite("Services in-process", .timeLimit(.minutes(1)))
struct InProcessServiceTests {
    static let peerManager = PeerManagerV1.PeerManager.serviceName

    static func peerID(_ n: Int) -> String {
        var key = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: UInt64(n).bigEndian) { key.replaceSubrange(24..<32, with: $0) }
        key[0] = 0x42
        return try! PeerID(ed25519PublicKey: key).description
    }

    static func peer(_ n: Int) -> PeerManagerV1.Peer {
        PeerManagerV1.Peer(
            peerID: peerID(n), addresses: ["/ip4/10.0.0.\(n)/tcp/60000"], protocols: ["/vac/waku/relay/2.0.0"])
    }

    static func hello() -> PeerManagerV1.HostHello {
        PeerManagerV1.HostHello(peerID: peerID(9999), online: true)
    }

    /// Opens Attach on `client` and sends the hello, as a host does.
    static func attach(_ client: SocketClient, streamID: UInt32 = 1) throws {
        try client.request(streamID, PeerManagerV1.Host.attach, flags: .remoteOpen)
        try client.send(
            Frame(streamID: streamID, type: .data, payload: PeerManagerV1.HostEvent(event: .hello(hello())).encoded()))
    }

    /// Waits, with a deadline, until the runtime has the host attached.
    static func waitUntilAttached(_ sidecar: InProcessSidecar) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !sidecar.sidecar.runtime.hostAttached {
            guard ContinuousClock.now < deadline else { throw InProcessTestError.timedOut("host attach") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("Health/Check answers SERVING")
    func healthServing() async throws {
        try await InProcessSidecar.run { sidecar in
            let status = try await onThread { try SocketClient(path: sidecar.socketPath).healthCheck(1) }
            #expect(status == .serving)
        }
    }

    @Test("AddPeer, then GetPeer and ListPeers see the peer")
    func addGetList() async throws {
        try await InProcessSidecar.run { sidecar in
            try await onThread {
                let client = try SocketClient(path: sidecar.socketPath)
                let added = try client.call(
                    1, PeerManagerV1.PeerManager.addPeer,
                    payload: PeerManagerV1.AddPeerRequest(source: .peer(Self.peer(1)), origin: .discv5).encoded())
                #expect(added.code == .ok)
                let got = try client.call(
                    3, PeerManagerV1.PeerManager.getPeer,
                    payload: PeerManagerV1.GetPeerRequest(peerID: Self.peerID(1)).encoded())
                #expect(got.code == .ok)
                let peer = try PeerManagerV1.Peer(wire: got.payload)
                #expect(peer.peerID == Self.peerID(1))
                #expect(peer.addresses == ["/ip4/10.0.0.1/tcp/60000"])
                let listed = try client.call(
                    5, PeerManagerV1.PeerManager.listPeers, payload: PeerManagerV1.ListPeersRequest().encoded())
                #expect(listed.code == .ok)
                let list = try PeerManagerV1.ListPeersResponse(wire: listed.payload)
                #expect(list.peers.map(\.peerID) == [Self.peerID(1)])
                #expect(list.total == 1)
            }
        }
    }

    @Test("Errors map to their status: an unknown peer is NOT_FOUND, garbage is INVALID_ARGUMENT")
    func errorStatuses() async throws {
        try await InProcessSidecar.run { sidecar in
            try await onThread {
                let client = try SocketClient(path: sidecar.socketPath)
                let unknown = try client.call(
                    1, PeerManagerV1.PeerManager.getPeer,
                    payload: PeerManagerV1.GetPeerRequest(peerID: Self.peerID(7)).encoded())
                #expect(unknown.code == .notFound)
                let garbage = try client.call(
                    3, PeerManagerV1.PeerManager.addPeer,
                    payload: PeerManagerV1.AddPeerRequest(source: .address("not a multiaddr")).encoded())
                #expect(garbage.code == .invalidArgument)
            }
        }
    }

    @Test("A host attaches with its hello; its connectionOpened reaches a Watch as CONNECTED")
    func attachAndWatch() async throws {
        try await InProcessSidecar.run { sidecar in
            let host = try await onThread { try SocketClient(path: sidecar.socketPath) }
            try await onThread { try Self.attach(host) }
            try await Self.waitUntilAttached(sidecar)
            try await onThread {
                let watcher = try SocketClient(path: sidecar.socketPath, receiveTimeout: .milliseconds(200))
                try watcher.request(
                    1, PeerManagerV1.PeerManager.watch, payload: PeerManagerV1.WatchRequest().encoded(),
                    flags: .remoteClosed)
                // The Watch registers asynchronously: add probe peers until one's event shows up.
                let admin = try SocketClient(path: sidecar.socketPath)
                var registered = false
                for n in 0..<50 where !registered {
                    let response = try admin.call(
                        UInt32(2 * n + 1), PeerManagerV1.PeerManager.addPeer,
                        payload: PeerManagerV1.AddPeerRequest(source: .peer(Self.peer(100 + n))).encoded())
                    #expect(response.code == .ok)
                    if let frame = try? watcher.readFrame(), frame.type == .data { registered = true }
                }
                try #require(registered)
                watcher.setReceiveTimeout(.seconds(10))

                let connected = Self.peerID(1)
                try host.send(
                    Frame(
                        streamID: 1, type: .data,
                        payload: PeerManagerV1.HostEvent(
                            event: .connectionOpened(
                                .init(
                                    connectionID: 1, peerID: connected, direction: .inbound,
                                    observedAddress: "/ip4/10.0.0.1/tcp/4000"))
                        ).encoded()))
                while true {
                    let frame = try watcher.readFrame()
                    try #require(frame.type == .data)
                    let event = try PeerManagerV1.WatchEvent(wire: frame.payload)
                    if case .peerEvent(let peerEvent)? = event.event, peerEvent.kind == .connected {
                        #expect(peerEvent.peerID == connected)
                        return
                    }
                }
            }
        }
    }

    @Test("Graceful shutdown: a Health Watch sees NOT_SERVING, the Attach ends UNAVAILABLE")
    func gracefulShutdown() async throws {
        // A grace period long enough for a starved reader thread: when it ends, peerd closes the
        // connections, and a reset can discard replies the test has not read yet.
        try await InProcessSidecar.run(shutdownGracePeriod: .seconds(5)) { sidecar in
            let (host, health) = try await onThread {
                let host = try SocketClient(path: sidecar.socketPath)
                try Self.attach(host)
                let health = try SocketClient(path: sidecar.socketPath)
                try health.request(
                    1, GrpcHealthV1.Health.watch, payload: Health.CheckRequest().encoded(), flags: .remoteClosed)
                #expect(try Health.CheckResponse(wire: health.readFrame().payload).status == .serving)
                return (host, health)
            }
            try await Self.waitUntilAttached(sidecar)

            await sidecar.triggerGracefulShutdown()
            try await onThread {
                let update = try health.readFrame()
                #expect(update.type == .data)
                #expect(try Health.CheckResponse(wire: update.payload).status == .notServing)
                while true {
                    let frame = try host.readFrame()
                    guard frame.type == .response else { continue }  // commands sent before the end
                    #expect(try ResponseEnvelope(wire: frame.payload).code == .unavailable)
                    return
                }
            }
        }
    }
}

enum InProcessTestError: Error {
    case timedOut(String)
}

/// Each client is used by one thread at a time: handed from one `onThread` block to the next.
extension SocketClient: @unchecked Sendable {}

import Foundation
import NIOCore
import PeerIdentity
import PeerTestSupport
import PeerWire

/// A host node played by the test over peerd's real socket: it attaches with the Attach stream,
/// sends events as Data frames and reads peerd's commands.
final class ScriptedHost {
    let client: SocketClient
    let streamID: UInt32

    init(socketPath: String, streamID: UInt32 = 1) throws {
        client = try SocketClient(path: socketPath)
        self.streamID = streamID
    }

    /// Opens Attach and sends the hello.
    func attach(_ hello: PeerManagerV1.HostHello) throws {
        try client.request(streamID, PeerManagerV1.Host.attach, flags: .remoteOpen)
        try send(.hello(hello))
    }

    func send(_ event: PeerManagerV1.HostEvent.OneOf_Event) throws {
        try client.send(
            Frame(streamID: streamID, type: .data, payload: PeerManagerV1.HostEvent(event: event).encoded()))
    }

    /// The next command; throws if the stream ends instead (with the Response's status).
    ///
    /// Skips `request_discovery` unless `includingDiscovery`: peerd asks for it on its own while a
    /// subscribed shard is below the floor (every script with a cluster and few peers), and this
    /// host leaves it unanswered, as a host that cannot search may (it expires; peerd asks again
    /// only after its interval).
    func nextCommand(includingDiscovery: Bool = false) throws -> PeerManagerV1.HostCommand {
        while true {
            let frame = try client.readFrame()
            guard frame.type == .data else {
                let response = try ResponseEnvelope(wire: frame.payload)
                throw ScriptedHostError.streamEnded(response.code, response.message)
            }
            let command = try PeerManagerV1.HostCommand(wire: frame.payload)
            if !includingDiscovery, case .requestDiscovery? = command.command { continue }
            return command
        }
    }

    /// Reads commands until `count` have arrived.
    func commands(_ count: Int) throws -> [PeerManagerV1.HostCommand] {
        try (0..<count).map { _ in try nextCommand() }
    }

    /// Half-closes the stream (the host is done) and returns peerd's final status.
    func detach() throws -> ResponseEnvelope {
        try client.send(Frame(streamID: streamID, type: .data, flags: [.remoteClosed, .noData], payload: ByteBuffer()))
        while true {
            let frame = try client.readFrame()
            if frame.type == .response { return try ResponseEnvelope(wire: frame.payload) }
        }
    }
}

enum ScriptedHostError: Error, Equatable {
    case streamEnded(StatusCode, String)
}

/// Typed unary calls to the PeerManager service.
final class PeerManagerClient {
    let client: SocketClient
    private var nextStreamID: UInt32 = 1

    init(socketPath: String) throws {
        client = try SocketClient(path: socketPath)
    }

    /// Calls a contract method (its generated descriptor fixes the request and reply types); a
    /// non-OK status throws it as an `RPCError`.
    @discardableResult
    func call<Request, Response>(_ method: MethodDescriptor<Request, Response>, _ request: Request) throws -> Response {
        try call(method.method, request, service: method.service)
    }

    /// Calls `method` by name (a method outside the contract, or a request of another type);
    /// a non-OK status throws it as an `RPCError`.
    func call<Response: WireMessage>(
        _ method: String, _ request: some WireMessage, as: Response.Type = Response.self,
        service: String = PeerManagerV1.PeerManager.serviceName
    ) throws -> Response {
        let response = try client.call(nextID(), service, method, payload: request.encoded())
        guard response.code == .ok else { throw RPCError(code: response.code, message: response.message) }
        return try Response(wire: response.payload)
    }

    func nextID() -> UInt32 {
        defer { nextStreamID += 2 }
        return nextStreamID
    }
}

/// Real peer ids for tests: ed25519 keys from a counter.
enum TestPeers {
    static func id(_ n: Int) -> String {
        var key = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: UInt64(n).bigEndian) { key.replaceSubrange(24..<32, with: $0) }
        key[0] = 0x42
        return try! PeerID(ed25519PublicKey: key).description
    }

    static func peer(_ n: Int, protocols: [String] = ["/vac/waku/relay/2.0.0"]) -> PeerManagerV1.Peer {
        PeerManagerV1.Peer(
            peerID: id(n), addresses: ["/ip4/10.0.\(n / 250).\(n % 250 + 1)/tcp/60000"], protocols: protocols)
    }
}

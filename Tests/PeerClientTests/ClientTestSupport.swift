import PeerIdentity
import PeerServer
import PeerTestSupport
import PeerWire
import Synchronization
import TTRPCServer

/// Peers, hellos and waiting, for the client tests.
enum Fixtures {
    static let relay = "/vac/waku/relay/2.0.0"
    static let store = "/vac/waku/store-query/3.0.0"

    static func peerID(_ n: Int) -> String {
        var key = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: UInt64(n).bigEndian) { key.replaceSubrange(24..<32, with: $0) }
        key[0] = 0x42
        return try! PeerID(ed25519PublicKey: key).description
    }

    static func address(_ n: Int) -> String { "/ip4/10.0.\(n / 250).\(n % 250 + 1)/tcp/60000" }

    static func peer(_ n: Int, protocols: [String] = [relay]) -> PeerManagerV1.Peer {
        PeerManagerV1.Peer(peerID: peerID(n), addresses: [address(n)], protocols: protocols)
    }

    static let hostID = peerID(9999)

    /// Polls `condition` every 5 ms for up to 10 s.
    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw FixtureError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

enum FixtureError: Error {
    case timedOut(String)
}

/// Every call the server completed, with its status: what the server saw of a cancel or a deadline.
final class CallLog: Sendable {
    private let calls = Mutex<[(method: String, code: StatusCode)]>([])

    var observer: CallObserver {
        { method, code, _ in self.calls.withLock { $0.append((method, code)) } }
    }

    func codes(of method: AnyMethodDescriptor) -> [StatusCode] {
        calls.withLock { $0.filter { $0.method == method.fullMethod }.map(\.code) }
    }
}

extension InProcessSidecar {
    /// Whether a host is attached (its hello accepted).
    var hostAttached: Bool { sidecar.runtime.hostAttached }
}

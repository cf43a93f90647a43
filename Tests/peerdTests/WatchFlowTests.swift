import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// Watch under load (issue 8, finding 13): a reader that keeps up is never dropped, one that
/// stops reading is dropped with RESOURCE_EXHAUSTED and peerd's memory stays bounded.
@Suite("Watch: flow and bounds")
struct WatchFlowTests {
    static let service = PeerManagerV1.PeerManager.serviceName

    /// Calls `method` `count` times from one connection, `window` requests in flight at a time.
    static func pipeline(
        _ socketPath: String, count: Int, window: Int = 64, _ request: @escaping (Int) -> (String, ByteBuffer)
    ) throws {
        let client = try SocketClient(path: socketPath)
        var sent = 0
        var answered = 0
        while answered < count {
            while sent < count, sent - answered < window {
                let (method, payload) = request(sent)
                try client.request(UInt32(2 * sent + 1), service, method, payload: payload)
                sent += 1
            }
            let (_, response) = try client.readResponse()
            guard response.code == .ok else { throw RPCError(code: response.code, message: response.message) }
            answered += 1
        }
    }

    /// Runs `body` on `count` threads and waits for all of them; the first error is rethrown.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let group = DispatchGroup()
        let errors = ErrorBox()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do { try body(index) } catch { errors.record(error) }
            }
        }
        group.wait()
        if let error = errors.first { throw error }
    }

    /// Registers a Watch for every event and returns once it is known to be registered: it has
    /// seen the event of a probe peer (added, then removed again).
    static func startWatch(_ peerd: PeerdProcess) throws -> SocketClient {
        let watcher = try SocketClient(path: peerd.socketPath, receiveTimeout: .milliseconds(300))
        try watcher.request(
            1, PeerManagerV1.PeerManager.watch, payload: PeerManagerV1.WatchRequest().encoded(), flags: .remoteClosed)
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        for n in 0..<50 {
            let probe = Self.peer(1_000_000 + n)
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(probe)))
            let _: PeerManagerV1.RemovePeerResponse = try admin.call(
                PeerManagerV1.PeerManager.removePeer, PeerManagerV1.RemovePeerRequest(peerID: probe.peerID))
            if let frame = try? watcher.readFrame(), frame.type == .data { return watcher }
        }
        throw WatchTestError.notRegistered
    }

    /// The next frame, waiting up to `timeout` across the socket's short receive timeouts.
    static func nextFrame(_ client: SocketClient, within timeout: Duration = .seconds(30)) throws -> Frame {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try client.readFrame()
            } catch let error as POSIXError where error.code == .ETIMEDOUT && ContinuousClock.now < deadline {
                continue
            }
        }
    }

    /// Peer `n` with an address of its own (TestPeers' addresses stop at 64,000 peers).
    static func peer(_ n: Int) -> PeerManagerV1.Peer {
        PeerManagerV1.Peer(
            peerID: TestPeers.id(n), addresses: ["/ip4/10.\(n >> 16 & 255).\(n >> 8 & 255).\(n & 255)/tcp/60000"],
            protocols: ["/vac/waku/relay/2.0.0"])
    }

    static func residentKilobytes(_ pid: Int32) -> Int {
        guard let status = fileText("/proc/\(pid)/status") else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    @Test("A reader that keeps up sees every event of 20,000 AddPeer calls from 4 connections and is never dropped")
    func fastReaderIsNeverDropped() throws {
        let peers = 20_000
        let peerd = try PeerdProcess(arguments: ["--peer-store-capacity", "100000"])
        let watcher = try Self.startWatch(peerd)
        // And `peerctl watch`, which prints a JSON line per event (it exited 1 here before).
        let outputPath = "\(peerd.directory)/watch.out"
        let peerctl = try ChildProcess(
            executable: PeerdProcess.peerctlBinary.path,
            arguments: ["watch", "--decisions-only", "--json", "--socket", peerd.socketPath], stdoutPath: outputPath)
        defer { peerctl.kill(SIGKILL) }
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            // It registers asynchronously: probe peers until their events show up.
            let probe = Self.peer(2_000_000)
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(probe)))
            let _: PeerManagerV1.RemovePeerResponse = try admin.call(
                PeerManagerV1.PeerManager.removePeer, PeerManagerV1.RemovePeerRequest(peerID: probe.peerID))
            return fileText(outputPath)?.isEmpty == false
        }
        let socketPath = peerd.socketPath
        let adders = Thread.detachedResult {
            try Self.onThreads(4) { thread in
                try Self.pipeline(socketPath, count: peers / 4) { index in
                    let n = thread * (peers / 4) + index
                    return (
                        "AddPeer",
                        PeerManagerV1.AddPeerRequest(source: .peer(Self.peer(n + 1))).encoded()
                    )
                }
            }
        }
        var added = Set<String>()
        while added.count < peers {
            let frame = try Self.nextFrame(watcher)
            guard frame.type == .data else {
                let response = try ResponseEnvelope(wire: frame.payload)
                Issue.record("the watcher was dropped after \(added.count) peers: \(response.code) \(response.message)")
                return
            }
            let event = try PeerManagerV1.WatchEvent(wire: frame.payload)
            if case .peerEvent(let peerEvent)? = event.event, peerEvent.kind == .added {
                added.insert(peerEvent.peerID)
            }
        }
        try adders.value()
        #expect(added.count == peers)
        func peerctlAdded() -> Int {
            let output = fileText(outputPath) ?? ""
            return output.split(separator: "\n").count { $0.contains("\"peer_added\"") }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while peerctlAdded() < peers, peerctl.exitStatus == nil, ContinuousClock.now < deadline { usleep(50_000) }
        #expect(peerctl.exitStatus == nil, "peerctl watch exited: \(peerctl.stderr())")
        #expect(peerctlAdded() >= peers)
    }

    @Test("A reader that never reads is dropped with RESOURCE_EXHAUSTED; peerd's memory stays bounded")
    // The default limit (65,536 events): 160,000 events overflow it; RSS grew by 13 MB here.
    func stalledReaderIsDropped() throws {
        let peerd = try PeerdProcess()
        let watcher = try Self.startWatch(peerd)
        let socketPath = peerd.socketPath
        // Add and remove the same peers: four events per cycle, a store that stays small.
        func churn(_ cycles: Int) throws {
            try Self.onThreads(2) { thread in
                try Self.pipeline(socketPath, count: cycles) { index in
                    let n = thread * 1000 + index / 2 % 1000 + 1
                    return index % 2 == 0
                        ? ("AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(Self.peer(n))).encoded())
                        : ("RemovePeer", PeerManagerV1.RemovePeerRequest(peerID: TestPeers.id(n)).encoded())
                }
            }
        }
        try churn(4_000)
        let before = Self.residentKilobytes(peerd.process.pid)
        try churn(40_000)
        let after = Self.residentKilobytes(peerd.process.pid)
        #expect(after - before < 64 * 1024, "RSS grew from \(before) kB to \(after) kB")

        // The reader finally reads: the events queued before the drop, then the status.
        var events = 0
        while true {
            let frame = try Self.nextFrame(watcher)
            if frame.type == .data {
                events += 1
                continue
            }
            let response = try ResponseEnvelope(wire: frame.payload)
            #expect(response.code == .resourceExhausted)
            #expect(response.message.contains("--watch-queue-limit"), "\(response.message)")
            break
        }
        #expect(events < 2 * 2 * 40_000, "the watcher got every event: it was never behind")
    }

    @Test("Watch streams beyond --max-watch-streams are RESOURCE_EXHAUSTED; a closed one frees its place")
    func watchStreamBound() throws {
        let peerd = try PeerdProcess(arguments: ["--max-watch-streams", "1"])
        let first = try Self.startWatch(peerd)
        let second = try SocketClient(path: peerd.socketPath)
        try second.request(
            1, PeerManagerV1.PeerManager.watch, payload: PeerManagerV1.WatchRequest().encoded(), flags: .remoteClosed)
        let refused = try second.readResponse().response
        #expect(refused.code == .resourceExhausted)
        #expect(refused.message.contains("--max-watch-streams"), "\(refused.message)")
        first.close()
        try waitFor(peerd) {
            let again = try SocketClient(path: peerd.socketPath, receiveTimeout: .milliseconds(300))
            try again.request(
                1, PeerManagerV1.PeerManager.watch, payload: PeerManagerV1.WatchRequest().encoded(),
                flags: .remoteClosed)
            return (try? again.readFrame()) == nil  // no answer: registered, waiting for events
        }
    }
}

enum WatchTestError: Error {
    case notRegistered
}

/// The first error any thread recorded.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []

    func record(_ error: any Error) { lock.withLock { errors.append(error) } }
    var first: (any Error)? { lock.withLock { errors.first } }
}

extension Thread {
    /// Runs `body` on a new thread; `value()` waits for it and rethrows its error.
    static func detachedResult(_ body: @escaping @Sendable () throws -> Void) -> ThreadResult {
        let result = ThreadResult()
        result.group.enter()
        Thread.detachNewThread {
            defer { result.group.leave() }
            do { try body() } catch { result.errors.record(error) }
        }
        return result
    }
}

final class ThreadResult: Sendable {
    let group = DispatchGroup()
    let errors = ErrorBox()

    func value() throws {
        group.wait()
        if let error = errors.first { throw error }
    }
}

import Foundation
import PeerWire
import Synchronization
import Testing

/// The one peerd process the bad-input suite talks to, shared by every case (the suite is
/// serialized). A case that fails may leave peerd dead, stalled or with a changed store, so the
/// next case then gets a fresh peerd: each failure stays with the case that caused it.
final class BadInputPeerd: Sendable {
    @TaskLocal static var current: BadInputPeerd?

    /// The probe's bound: Health/Check on another connection answers within this while a case
    /// runs. `PEERD_PROBE_MAX_MS` raises it on a machine too loaded to schedule peerd in time.
    static let probeBound: Duration = .milliseconds(
        Int(ProcessInfo.processInfo.environment["PEERD_PROBE_MAX_MS"] ?? "") ?? 100)

    /// The longest status message a case may get back.
    static let maxMessageBytes = 512

    private struct State {
        var peerd: PeerdProcess?
        /// The last case failed: the next one starts from a fresh peerd.
        var needsRestart = false
    }

    private let state = Mutex(State())

    /// Stops the current peerd, if any.
    func stop() {
        let peerd = state.withLock { state -> PeerdProcess? in
            defer { state.peerd = nil }
            return state.peerd
        }
        peerd?.stop()
    }

    /// The socket of a running peerd whose store holds just ``BadInputSession/knownPeers``.
    private func ready() throws -> String {
        try state.withLock { state in
            if let peerd = state.peerd, peerd.process.isRunning, !state.needsRestart { return peerd.socketPath }
            state.peerd?.stop(signal: SIGKILL)
            state.peerd = nil
            state.needsRestart = false
            let peerd = try PeerdProcess()
            let admin = try PeerManagerClient(socketPath: peerd.socketPath)
            for n in BadInputSession.knownPeers {
                let _: PeerManagerV1.AddPeerResponse = try admin.call(
                    PeerManagerV1.PeerManager.addPeer,
                    PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n)), origin: .static))
            }
            state.peerd = peerd
            return peerd.socketPath
        }
    }

    /// peerd's exit status and the end of its log when it is no longer running, waiting up to
    /// `grace` for it to end (a crashing Swift process prints its backtrace for seconds first).
    private func death(grace: Duration) -> (status: Int32, log: String)? {
        state.withLock { state in
            guard let peerd = state.peerd, let status = peerd.process.wait(timeout: grace) else { return nil }
            return (status, peerd.logTail(lines: 30))
        }
    }

    /// Runs one case and checks everything the suite promises about it.
    func run(_ testCase: BadInputCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let socketPath = try ready()
        var failed = false
        func fail(_ message: String) {
            failed = true
            let known = testCase.failsBeforeFix.map { "\n(fails before the fix: \($0))" } ?? ""
            Issue.record(Comment(rawValue: "\(testCase.name): \(message)\(known)"), sourceLocation: sourceLocation)
        }
        defer { if failed { state.withLock { $0.needsRestart = true } } }

        let before: StoreSnapshot
        do {
            before = try StoreSnapshot(socketPath: socketPath)
        } catch {
            fail("no snapshot of the store before the case (peerd restarts for the next one): \(error)")
            return
        }
        let probe = HealthProbe(socketPath: socketPath)
        probe.waitForChecks(startedAfter: .now - .seconds(60))
        let started = ContinuousClock.now
        let outcome = Result { try testCase.run(BadInputSession(socketPath: socketPath)) }
        probe.waitForChecks(startedAfter: started, count: 2)
        let report = probe.stop()

        if let (status, log) = death(grace: report.failures.isEmpty ? .zero : .seconds(5)) {
            fail("peerd died (exit status \(status)); its log ends:\n\(log)")
            return
        }
        switch outcome {
        case .success(let outcome) where !testCase.expected.matches(outcome):
            fail("expected \(testCase.expected), got \(outcome)")
        case .failure(let error):
            fail("expected \(testCase.expected), but the case failed: \(error)")
        default:
            break
        }
        // Messages name the field and the limit and quote at most ~64 characters of the input.
        if case .success(.status(_, let message)) = outcome, message.utf8.count > Self.maxMessageBytes {
            fail(
                "the status message has \(message.utf8.count) bytes (over \(Self.maxMessageBytes)): it echoes the input"
            )
        }
        if !report.failures.isEmpty || report.maxLatency > Self.probeBound {
            fail("Health/Check on another connection: \(report) (bound \(Self.probeBound.probeMilliseconds) ms)")
        }
        do {
            let after = try StoreSnapshot(socketPath: socketPath)
            if after != before { fail("the store changed:\n\(before.difference(to: after))") }
        } catch {
            fail("no snapshot of the store after the case: \(error)")
        }
    }
}

/// A suite trait that gives the suite one ``BadInputPeerd`` for all its tests, and stops it at the end.
struct SharedBadInputPeerd: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let peerd = BadInputPeerd()
        defer { peerd.stop() }
        try await BadInputPeerd.$current.withValue(peerd) { try await function() }
    }
}

extension Trait where Self == SharedBadInputPeerd {
    static var sharedBadInputPeerd: Self { Self() }
}

import Foundation
import PeerTestSupport
import PeerWire
import Synchronization

/// Health/Check over and over from connections of its own, on a thread, while a test does
/// something else: what every other client of peerd sees meanwhile. A stalled event loop shows up
/// as a slow or missing answer here, whatever the test's own connection gets.
final class HealthProbe: Sendable {
    struct Check: Sendable {
        var started: ContinuousClock.Instant
        var latency: Duration
    }

    struct Report: Sendable, CustomStringConvertible {
        var checks: [Check]
        var failures: [String]

        var maxLatency: Duration { checks.map(\.latency).max() ?? .zero }

        var description: String {
            let failed = failures.isEmpty ? "" : ", failures: \(failures.joined(separator: "; "))"
            return "\(checks.count) checks, max \(maxLatency.probeMilliseconds) ms\(failed)"
        }
    }

    private struct State {
        var checks: [Check] = []
        var failures: [String] = []
        var stopping = false
    }

    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    /// Starts probing `socketPath` every `interval`; a check with no answer after `timeout` is a
    /// failure (and counts as `timeout` of latency).
    init(socketPath: String, interval: Duration = .milliseconds(5), timeout: Duration = .seconds(2)) {
        let thread = Thread { [self] in
            run(socketPath: socketPath, interval: interval, timeout: timeout)
            finished.signal()
        }
        thread.name = "health-probe"
        thread.start()
    }

    /// Each check on a new connection: peerd spreads connections over its event loops in turn, so
    /// successive checks visit every loop, including the one a stalled case occupies.
    private func run(socketPath: String, interval: Duration, timeout: Duration) {
        var id: UInt32 = 1
        while !state.withLock({ $0.stopping }) {
            let started = ContinuousClock.now
            let answer = Result {
                let client = try SocketClient(path: socketPath, receiveTimeout: timeout)
                defer { client.close() }
                return try client.healthCheck(id)
            }
            let check = Check(started: started, latency: .now - started)
            let stop: Bool = state.withLock {
                $0.checks.append(check)
                switch answer {
                case .success(.serving?): return false
                case .success(let status): $0.failures.append("status \(String(describing: status))")
                case .failure(let error): $0.failures.append("no answer after \(check.latency): \(error)")
                }
                return true  // peerd is unhealthy or gone: nothing more to learn
            }
            if stop { return }
            id &+= 2
            Thread.sleep(forTimeInterval: interval.seconds)
        }
    }

    /// Waits until `count` checks that started at or after `instant` have finished (or the probe
    /// failed, or `timeout` passed): proof that the probe overlapped what the test did.
    func waitForChecks(startedAfter instant: ContinuousClock.Instant, count: Int = 1, timeout: Duration = .seconds(5)) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (done, failed) = state.withLock { state in
                (state.checks.count { $0.started >= instant }, !state.failures.isEmpty)
            }
            if done >= count || failed { return }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }

    /// Stops the probe and returns what it saw.
    func stop() -> Report {
        state.withLock { $0.stopping = true }
        if finished.wait(timeout: .now() + 10) == .timedOut {
            state.withLock { $0.failures.append("the probe did not stop within 10 s") }
        }
        return state.withLock { Report(checks: $0.checks, failures: $0.failures) }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Milliseconds with two decimals, for reports.
    var probeMilliseconds: String {
        String(format: "%.2f", seconds * 1000)
    }
}

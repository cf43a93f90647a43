import Logging
import PeerCore
import ServiceLifecycle

/// The engine's timers as one `Service`: each loop asks the runtime for one step, then sleeps.
///
/// - connectivity: `tick` (prune surpluses, fill outbound in batches), then sleep until the
///   engine's next wake: the round's dials settled, then its dynamic interval (nwaku:
///   `max(30 s * min(inFactor, outFactor), 1 s)`, computed after the dials), or a due redial,
///   or until a host attaches while offline;
/// - prune: the peer-store pruning every `pruneInterval` (10 min);
/// - status: nwaku's "Relay peer connections" line (fields `inRelayConns`, `outRelayConns`,
///   `totalConnections`, `notConnectedPeers`, `outsideBackoffPeers`) every 5 minutes, at info;
/// - sessions: detaches a unary host that stopped calling (no call in progress, none for the
///   session timeout).
///
/// All stop on graceful shutdown.
public struct EngineLoops: Service {
    let runtime: EngineRuntime
    let logger: Logger
    let statusInterval: Duration
    let sessionTimeout: Duration

    public init(
        runtime: EngineRuntime, logger: Logger, statusInterval: Duration = .seconds(300),
        sessionTimeout: Duration = HostService.defaultSessionTimeout
    ) {
        self.runtime = runtime
        self.logger = logger
        self.statusInterval = statusInterval
        self.sessionTimeout = sessionTimeout
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await connectivity() }
                group.addTask { await pruning() }
                group.addTask { await status() }
                group.addTask { await sessions() }
            }
        }
    }

    /// Runs a step, then sleeps until the engine's next wake (``PeerEngine/nextWake(now:)``):
    /// while the round's dials are in flight, until they settle (the runtime signals it) or are
    /// overdue; then the dynamic interval computed from the counts the round left, as nwaku
    /// sleeps after awaiting its dials; earlier when a backed-off peer becomes redialable. The
    /// wake is an exact time, not a whole-second tick. Offline (no host, or the host reports no
    /// network) there is nothing to dial, so it sleeps until the engine comes online instead of
    /// recording an "offline" decision every second.
    private func connectivity() async {
        while !Task.isCancelled {
            runtime.perform { engine, now, rng in ((), engine.tick(now: now, using: &rng).actions) }
            var target: EngineTime?
            while !Task.isCancelled {
                let (wake, online, now) = runtime.read { engine, now, _ in
                    (engine.nextWake(now: now), engine.isOnline, now)
                }
                if !online {
                    await runtime.cameOnline.wait(for: offlineInterval)
                    break
                }
                // The time slept for has come (a redial now due is no longer "after now").
                if let target, now >= target { break }
                guard wake > now else { break }
                target = wake
                logger.trace("connectivity loop sleeps", metadata: ["sleep": "\(wake - now)"])
                // A signal (online, a round settled) re-reads the wake time; the timeout is it.
                await runtime.cameOnline.wait(for: wake - now)
            }
        }
    }

    /// How long an offline engine sleeps between ticks (it still expires overdue commands).
    private var offlineInterval: Duration { .seconds(60) }

    private func pruning() async {
        let interval = runtime.read { engine, _, _ in engine.configuration.pruneInterval }
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            runtime.perform { engine, now, rng in ((), engine.prune(now: now, using: &rng)) }
        }
    }

    private func status() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: statusInterval)
            guard !Task.isCancelled else { return }
            let statistics = runtime.read { engine, now, _ in engine.statistics(now: now) }
            logger.info(Self.statusMessage, metadata: Self.statusMetadata(statistics))
        }
    }

    /// nwaku's status line: its message and its field names, as log metadata (logfmt or JSON
    /// fields), so the line operators grep for in nwaku's log is the same in peerd's.
    static var statusMessage: Logger.Message { "\(EngineStatistics.statusMessage)" }

    static func statusMetadata(_ statistics: EngineStatistics) -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for field in statistics.statusFields { metadata[field.name] = .string(field.value) }
        return metadata
    }

    private func sessions() async {
        let period = min(sessionTimeout / 4, .seconds(1))
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            runtime.detachIdleUnarySession(after: sessionTimeout)
        }
    }
}

import Logging
import PeerCore
import PeerIdentity
import Synchronization

/// The one owner of the peer engine: every change and query goes through it.
///
/// The engine is a value behind a `Mutex`, held only while the engine runs (microseconds).
/// The engine's time is read inside the lock and never goes back (``State/advanceTime(_:)``), so
/// the engine sees time in the order it acts. Effects that must keep the engine's order are
/// ordered inside the lock: commands are queued for the attached host, events for watchers
/// (selected once, shared by every watcher) and decisions for the log and the observers (a
/// ``DecisionFeed`` drained in order after the lock). Waiting calls are resumed after it.
public final class EngineRuntime: Sendable {
    /// Something that wants every batch of decisions (metrics).
    public typealias DecisionObserver = @Sendable (_ decisions: [Decision], _ now: EngineTime) -> Void

    struct State {
        var engine: PeerEngine
        var rng = EngineRandom()
        var host: HostSession?
        var nextSessionID: UInt64 = 1
        /// The engine's ``PeerEngine/roundsSettled`` last seen: a change wakes the connectivity loop.
        var roundsSeen: UInt64 = 0
        /// Commands a client call waits for, with the outcome once known. An entry lives from the
        /// call that issues the command to the end of that call's wait (``outcome(of:timeout:)``
        /// removes it whichever way the wait ends), so it is bounded by the calls in progress.
        var awaited: [CommandID: Awaited] = [:]
        /// The watchers that get events.
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 0
        /// Watch streams whose handler has not returned, dropped ones included: a dropped stream
        /// whose reader never reads still holds its last batch, so it counts against the limit
        /// until its connection goes.
        var openWatchStreams = 0
        /// Peers a Reconnect request will dial when their backoff ends (one timer each).
        var scheduledReconnects: Set<PeerID> = []
        /// The latest time given to the engine.
        var lastNow = EngineTime.epoch
        /// The host's connection status as last published (nwaku's health monitor keeps the same,
        /// to emit a change only).
        var connectionStatus = ConnectionStatus.disconnected

        /// The engine's time for this turn: the clock, read under the lock, but never before a
        /// time already given (a wall clock can step back).
        mutating func advanceTime(_ clock: any EngineClock) -> EngineTime {
            lastNow = max(lastNow, clock.now())
            return lastNow
        }
    }

    struct Awaited {
        var outcome: CommandOutcome?
        var continuation: CheckedContinuation<CommandOutcome, Never>?
    }

    /// A Watch stream's queue and what it asked for.
    struct Watcher {
        var queue: WatchQueue<WatchItem>
        var decisions: Bool
        var peerEvents: Bool
        var connectionStatus: Bool
    }

    /// Effects to run after the lock is released.
    struct Effects {
        /// The engine's time for this turn; set under the lock (``State/advanceTime(_:)``).
        var now = EngineTime.epoch
        var decisions: [Decision] = []
        var resumed: [(CheckedContinuation<CommandOutcome, Never>, CommandOutcome)] = []
        /// Outboxes of sessions that ended: closed after the lock (their consumers wake up).
        var closedOutboxes: [CommandOutbox] = []
        /// A connectivity round settled: the loop computes its next wake from the outcomes.
        var roundSettled = false
        /// Logged after the lock: watchers dropped for falling behind, a session detached for
        /// not taking its commands.
        var droppedWatchers = 0
        var overflowedSession: UInt64?
        /// Changes of the connection status (from, to), logged after the lock.
        var statusChanges: [(ConnectionStatus, ConnectionStatus)] = []
    }

    let state: Mutex<State>
    public let clock: any EngineClock
    let logger: Logger
    private let observers: [DecisionObserver]
    /// Decisions in the engine's order, for the log and the observers.
    let feed = DecisionFeed()
    /// Commands per host session, Watch queues and streams.
    public let limits: SessionLimits
    /// Wakes the connectivity loop when the engine comes online (a host attached or reported
    /// reachability): while offline it sleeps instead of ticking every second. Also sent when a
    /// connectivity round settles, so the loop times the next round from the outcomes.
    let cameOnline = WakeSignal()
    /// Writes the books to the peer store file; nil runs from memory (EngineRuntime+Persistence).
    public let storeWriter: PeerStoreWriter?
    /// Records the host trace (`--record-host-trace`); nil when off (EngineRuntime+Trace).
    public let hostTrace: HostTraceRecorder?

    public init(
        engine: PeerEngine, clock: any EngineClock = WallClock(), logger: Logger, limits: SessionLimits = .init(),
        observers: [DecisionObserver] = [], storeWriter: PeerStoreWriter? = nil, hostTrace: HostTraceRecorder? = nil
    ) {
        self.storeWriter = storeWriter
        self.hostTrace = hostTrace
        self.state = Mutex(State(engine: engine))
        self.clock = clock
        self.logger = logger
        self.observers = observers
        self.limits = limits
    }

    // MARK: - Reading and changing the engine

    /// Reads the engine (queries, statistics, selection); `now` and the generator come with it.
    public func read<R>(
        _ body: (_ engine: PeerEngine, _ now: EngineTime, _ rng: inout EngineRandom) throws -> R
    ) rethrows -> R {
        try state.withLock { state in
            let now = state.advanceTime(clock)
            // The generator goes out and back in: passing `&state.rng` beside `state.engine`
            // made the compiler copy the whole engine for every query.
            var rng = state.rng
            defer { state.rng = rng }
            return try body(state.engine, now, &rng)
        }
    }

    /// Changes the engine; the body returns its result and the engine's actions, which the runtime
    /// carries out.
    @discardableResult
    public func perform<R>(
        _ body: (_ engine: inout PeerEngine, _ now: EngineTime, _ rng: inout EngineRandom) throws -> (
            R, [EngineAction]
        )
    ) rethrows -> R {
        var effects = Effects()
        let result = try state.withLock { state in
            effects.now = state.advanceTime(clock)
            let (result, actions) = try body(&state.engine, effects.now, &state.rng)
            route(actions, in: &state, effects: &effects)
            return result
        }
        deliver(effects)
        return result
    }

    /// Carries out the engine's actions: commands to the host's outbox, decisions to the
    /// watchers now (in the engine's order) and to the log and observers after the lock.
    ///
    /// `checkStatus` false: the caller applies a burst of events and checks the connection status
    /// once after it (``noteConnectionStatus(in:effects:)``), not once per event.
    func route(_ actions: [EngineAction], in state: inout State, effects: inout Effects, checkStatus: Bool = true) {
        var commands: [IssuedCommand] = []
        var issued: [CommandID] = []
        if state.engine.roundsSettled != state.roundsSeen {
            state.roundsSeen = state.engine.roundsSettled
            effects.roundSettled = true
        }
        let firstDecision = effects.decisions.endIndex
        storeWriter?.mark(actions)
        for action in actions {
            switch action {
            case .command(let command):
                commands.append(command)
                issued.append(command.id)
            case .decision(let decision): effects.decisions.append(decision)
            case .peerChange: break
            }
        }
        if effects.decisions.endIndex > firstDecision, !observers.isEmpty || logger.logLevel <= .debug {
            // Only when someone will take them: nothing to order otherwise.
            feed.push(Array(effects.decisions[firstDecision...]), now: effects.now)
        }
        if !state.watchers.isEmpty { publish(actions, in: &state, effects: &effects) }
        if checkStatus { noteConnectionStatus(in: &state, effects: &effects) }
        guard !commands.isEmpty else { return }
        guard let host = state.host else {
            // Only possible for a command issued while no host is attached (the engine is then
            // offline and issues none by policy); it expires in the engine like an unanswered one,
            // and a call waiting for it hears now that nobody will carry it out.
            logger.debug("commands dropped: no host attached", metadata: ["commands.count": "\(commands.count)"])
            for id in issued { resolve(id, .failed(reason: "no host attached"), in: &state, effects: &effects) }
            return
        }
        traceCommands(commands, at: effects.now)
        if !host.outbox.push(commands) {
            // The host does not take its commands: it is detached like a dead one, which drops
            // every command it held in the engine and ends the calls waiting for them.
            detach(host, in: &state, effects: &effects, reason: .commandQueueFull(host.outbox.limit))
            effects.overflowedSession = host.id
        }
    }

    func resolve(_ id: CommandID, _ outcome: CommandOutcome, in state: inout State, effects: inout Effects) {
        guard var awaited = state.awaited[id] else { return }
        if let continuation = awaited.continuation {
            state.awaited[id] = nil
            effects.resumed.append((continuation, outcome))
        } else {
            awaited.outcome = outcome
            state.awaited[id] = awaited
        }
    }

    func deliver(_ effects: Effects) {
        for outbox in effects.closedOutboxes { outbox.close() }
        if effects.roundSettled { cameOnline.signal() }
        for (continuation, outcome) in effects.resumed { continuation.resume(returning: outcome) }
        if let session = effects.overflowedSession {
            logger.warning(
                "host detached",
                metadata: [
                    "host.session": "\(session)",
                    "host.reason": "\(HostSession.EndReason.commandQueueFull(limits.maxQueuedCommands))",
                ])
        }
        for (previous, status) in effects.statusChanges {
            logger.info(
                "connection status changed",
                metadata: ["connection.status": "\(status)", "connection.previous": "\(previous)"])
        }
        if effects.droppedWatchers > 0 {
            logger.info(
                "watchers dropped: fell behind",
                metadata: [
                    "watch.dropped": "\(effects.droppedWatchers)", "watch.queue_limit": "\(limits.watchQueueLimit)",
                ])
        }
        guard !effects.decisions.isEmpty else { return }
        // This call's decisions, and any queued before them, in the engine's order.
        feed.drain { batch in deliverDecisions(batch.decisions, now: batch.now) }
    }

    private func deliverDecisions(_ decisions: [Decision], now: EngineTime) {
        if logger.logLevel <= .debug {
            for decision in decisions {
                logger.debug(
                    "decision",
                    metadata: [
                        "decision.reason": "\(decision.reason.rawValue)",
                        "peer.id": "\(decision.peer.map(\.description) ?? "")",
                        "decision.detail": "\(decision.detail)",
                    ])
            }
        }
        for observer in observers { observer(decisions, now) }
    }

    // MARK: - Waiting for command results

    /// Like ``perform(_:)``, for a call that waits for the results of the commands it causes: they
    /// are registered under the same lock that issues them, so a result the host reports at once
    /// is kept for ``outcome(of:timeout:)`` rather than lost.
    func performAwaiting(
        _ body: (_ engine: inout PeerEngine, _ now: EngineTime) throws -> [EngineAction]
    ) rethrows -> [EngineAction] {
        var effects = Effects()
        let actions = try state.withLock { state in
            effects.now = state.advanceTime(clock)
            let actions = try body(&state.engine, effects.now)
            for command in actions.commands { state.awaited[command.id] = Awaited() }
            route(actions, in: &state, effects: &effects)
            return actions
        }
        deliver(effects)
        return actions
    }

    /// The result of an awaited command, or `.timedOut` after `timeout`.
    func outcome(of id: CommandID, timeout: Duration) async -> CommandOutcome {
        await withTaskGroup(of: CommandOutcome?.self) { group in
            group.addTask { await self.waitForOutcome(id) }
            group.addTask {
                await timerSleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            self.forget(id)
            return .timedOut
        }
    }

    private func waitForOutcome(_ id: CommandID) async -> CommandOutcome? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CommandOutcome, Never>) in
                let ready = state.withLock { state -> CommandOutcome? in
                    guard var awaited = state.awaited[id] else { return .failed(reason: "not awaited") }
                    if let outcome = awaited.outcome {
                        state.awaited[id] = nil
                        return outcome
                    }
                    awaited.continuation = continuation
                    state.awaited[id] = awaited
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.forget(id, resumingWith: .timedOut)
        }
    }

    private func forget(_ id: CommandID, resumingWith outcome: CommandOutcome? = nil) {
        let continuation = state.withLock { $0.awaited.removeValue(forKey: id)?.continuation }
        if let outcome { continuation?.resume(returning: outcome) }
    }

    /// peerd is shutting down: the host is detached (its Attach stream ends with UNAVAILABLE) and
    /// every Watch stream ends, so draining waits only for calls that do finish.
    public func shutDown() {
        let host = state.withLock { $0.host }
        if let host { detachHost(host, reason: .shuttingDown) }
        endWatches(.shuttingDown)
    }
}

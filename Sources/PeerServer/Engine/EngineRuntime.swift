import Logging
import PeerCore
import PeerIdentity
import PeerWire
import Synchronization

/// The one owner of the peer engine: every change and query goes through it.
///
/// The engine is a value behind a `Mutex`, held only while the engine runs (microseconds).
/// Effects happen around it: commands are queued for the attached host inside the lock (so their
/// order is the engine's), decisions are logged, counted and sent to watchers after it.
public final class EngineRuntime: Sendable {
    /// Something that wants every batch of decisions (metrics).
    public typealias DecisionObserver = @Sendable (_ decisions: [Decision], _ now: EngineTime) -> Void

    struct State {
        var engine: PeerEngine
        var rng = EngineRandom()
        var host: HostSession?
        var nextSessionID: UInt64 = 1
        /// Commands a client call waits for, with the outcome once known.
        var awaited: [CommandID: Awaited] = [:]
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 0
    }

    struct Awaited {
        var outcome: CommandOutcome?
        var continuation: CheckedContinuation<CommandOutcome, Never>?
    }

    /// A Watch stream's sink.
    struct Watcher {
        var continuation: AsyncThrowingStream<PeerManagerV1.WatchEvent, any Error>.Continuation
        var decisions: Bool
        var peerEvents: Bool
    }

    /// Effects to run after the lock is released.
    private struct Effects {
        var decisions: [Decision] = []
        var resumed: [(CheckedContinuation<CommandOutcome, Never>, CommandOutcome)] = []
        /// The watchers to tell, copied under the lock only when there are decisions.
        var watchers: [(id: Int, watcher: Watcher)] = []
    }

    private let state: Mutex<State>
    public let clock: any EngineClock
    private let logger: Logger
    private let observers: [DecisionObserver]
    /// Events a watcher may have queued before it is dropped.
    public let watcherQueueLimit: Int
    /// Wakes the connectivity loop when the engine comes online (a host attached or reported
    /// reachability): while offline it sleeps instead of ticking every second.
    let cameOnline = WakeSignal()

    public init(
        engine: PeerEngine, clock: any EngineClock = WallClock(), logger: Logger, watcherQueueLimit: Int = 1024,
        observers: [DecisionObserver] = []
    ) {
        self.state = Mutex(State(engine: engine))
        self.clock = clock
        self.logger = logger
        self.observers = observers
        self.watcherQueueLimit = watcherQueueLimit
    }

    // MARK: - Reading and changing the engine

    /// Reads the engine (queries, statistics, selection); `now` and the generator come with it.
    public func read<R>(
        _ body: (_ engine: PeerEngine, _ now: EngineTime, _ rng: inout EngineRandom) throws -> R
    ) rethrows -> R {
        let now = clock.now()
        return try state.withLock { state in
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
        let now = clock.now()
        var effects = Effects()
        let result = try state.withLock { state in
            let (result, actions) = try body(&state.engine, now, &state.rng)
            route(actions, in: &state, effects: &effects)
            return result
        }
        deliver(effects, now: now)
        return result
    }

    /// Applies host events in order, under one lock. Command results wake the calls waiting for
    /// them.
    func apply(_ events: [HostEvent], from session: HostSession) throws {
        let now = clock.now()
        var effects = Effects()
        let cameOnline = try state.withLock { state -> Bool in
            guard state.host === session else {
                throw RPCError(code: .failedPrecondition, message: "host session \(session.id) is no longer attached")
            }
            let wasOnline = state.engine.isOnline
            for event in events {
                let actions = state.engine.handle(event, now: now)
                if case .commandCompleted(let id, let outcome) = event {
                    resolve(id, outcome, in: &state, effects: &effects)
                }
                route(actions, in: &state, effects: &effects)
            }
            return !wasOnline && state.engine.isOnline
        }
        deliver(effects, now: now)
        if cameOnline { self.cameOnline.signal() }
    }

    private func route(_ actions: [EngineAction], in state: inout State, effects: inout Effects) {
        var commands: [PeerManagerV1.HostCommand] = []
        for action in actions {
            switch action {
            case .command(let issued): commands.append(PeerManagerV1.HostCommand(issued))
            case .decision(let decision): effects.decisions.append(decision)
            }
        }
        if !effects.decisions.isEmpty, effects.watchers.isEmpty, !state.watchers.isEmpty {
            effects.watchers = state.watchers.map { ($0.key, $0.value) }
        }
        guard !commands.isEmpty else { return }
        if let host = state.host {
            host.outbox.push(commands)
        } else {
            // Only possible for a command issued while no host is attached (the engine is then
            // offline and issues none by policy); it expires in the engine like an unanswered one.
            logger.debug("commands dropped: no host attached", metadata: ["commands.count": "\(commands.count)"])
        }
    }

    private func resolve(_ id: CommandID, _ outcome: CommandOutcome, in state: inout State, effects: inout Effects) {
        guard var awaited = state.awaited[id] else { return }
        if let continuation = awaited.continuation {
            state.awaited[id] = nil
            effects.resumed.append((continuation, outcome))
        } else {
            awaited.outcome = outcome
            state.awaited[id] = awaited
        }
    }

    private func deliver(_ effects: Effects, now: EngineTime) {
        for (continuation, outcome) in effects.resumed { continuation.resume(returning: outcome) }
        guard !effects.decisions.isEmpty else { return }
        if logger.logLevel <= .debug {
            for decision in effects.decisions {
                logger.debug(
                    "decision",
                    metadata: [
                        "decision.reason": "\(decision.reason.rawValue)",
                        "peer.id": "\(decision.peer.map(\.description) ?? "")",
                        "decision.detail": "\(decision.detail)",
                    ])
            }
        }
        for observer in observers { observer(effects.decisions, now) }
        publish(effects.decisions, to: effects.watchers, now: now)
    }

    // MARK: - Waiting for command results

    /// Like ``perform(_:)``, for a call that waits for the results of the commands it causes: they
    /// are registered under the same lock that issues them, so a result the host reports at once
    /// is kept for ``outcome(of:timeout:)`` rather than lost.
    func performAwaiting(
        _ body: (_ engine: inout PeerEngine, _ now: EngineTime) throws -> [EngineAction]
    ) rethrows -> [EngineAction] {
        let now = clock.now()
        var effects = Effects()
        let actions = try state.withLock { state in
            let actions = try body(&state.engine, now)
            for command in actions.commands { state.awaited[command.id] = Awaited() }
            route(actions, in: &state, effects: &effects)
            return actions
        }
        deliver(effects, now: now)
        return actions
    }

    /// The result of an awaited command, or `.timedOut` after `timeout`.
    func outcome(of id: CommandID, timeout: Duration) async -> CommandOutcome {
        await withTaskGroup(of: CommandOutcome?.self) { group in
            group.addTask { await self.waitForOutcome(id) }
            group.addTask {
                try? await Task.sleep(for: timeout)
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

    // MARK: - Host sessions

    /// Whether a host is attached.
    public var hostAttached: Bool { state.withLock { $0.host != nil } }

    /// Attaches the host that sent `hello`, then applies its snapshot of connections.
    ///
    /// - Throws: FAILED_PRECONDITION when another host is attached and `hello` does not take over,
    ///   or when the host's cluster contradicts peerd's; INVALID_ARGUMENT for a malformed hello.
    func attachHost(_ hello: PeerManagerV1.HostHello, mode: HostSession.Mode) throws -> HostSession {
        let selfID = try WireInput.peerID(hello.peerID, field: "hello.peer_id")
        let clusterID = try hello.clusterID.map { try WireInput.uint16($0, field: "hello.cluster_id") }
        let shards = try hello.shards.map { try WireInput.uint16($0, field: "hello.shards") }
        let snapshot =
            try hello.connections.map { try HostEvent(.connectionOpened($0)) }
            + hello.identified.map { try HostEvent(.identified($0)) }

        let now = clock.now()
        var effects = Effects()
        var replaced: HostSession?
        let session = try state.withLock { state -> HostSession in
            if let current = state.host {
                guard hello.takeOver else {
                    throw RPCError(
                        code: .failedPrecondition,
                        message: "a host is already attached (session \(current.id)); set take_over to replace it")
                }
                replaced = current
                detach(current, in: &state, now: now, effects: &effects, reason: .replaced)
            }
            guard
                let actions = state.engine.hostAttached(
                    selfID: selfID, clusterID: clusterID, shards: shards, online: hello.online, now: now)
            else {
                throw RPCError(
                    code: .failedPrecondition,
                    message:
                        "host is on cluster \(clusterID.map(String.init) ?? "none") but peerd is configured for cluster \(state.engine.configuration.clusterID.map(String.init) ?? "none")"
                )
            }
            let session = HostSession(id: state.nextSessionID, mode: mode)
            state.nextSessionID += 1
            state.host = session
            route(actions, in: &state, effects: &effects)
            for event in snapshot { route(state.engine.handle(event, now: now), in: &state, effects: &effects) }
            return session
        }
        replaced?.outbox.close()
        deliver(effects, now: now)
        cameOnline.signal()
        logger.info(
            "host attached",
            metadata: [
                "host.session": "\(session.id)", "host.mode": "\(mode)", "peer.id": "\(selfID)",
                "host.connections": "\(hello.connections.count)",
            ])
        return session
    }

    /// Detaches `session` if it is still the attached one.
    func detachHost(_ session: HostSession, reason: HostSession.EndReason) {
        let now = clock.now()
        var effects = Effects()
        let detached = state.withLock { state -> Bool in
            guard state.host === session else { return false }
            detach(session, in: &state, now: now, effects: &effects, reason: reason)
            return true
        }
        session.outbox.close()
        deliver(effects, now: now)
        if detached {
            logger.info("host detached", metadata: ["host.session": "\(session.id)", "host.reason": "\(reason)"])
        }
    }

    private func detach(
        _ session: HostSession, in state: inout State, now: EngineTime, effects: inout Effects,
        reason: HostSession.EndReason
    ) {
        session.end(reason: reason)
        state.host = nil
        route(state.engine.hostDetached(now: now), in: &state, effects: &effects)
        // Calls waiting for this host's results will not get them.
        for (id, awaited) in state.awaited {
            if let continuation = awaited.continuation {
                effects.resumed.append((continuation, .failed(reason: "host detached")))
                state.awaited[id] = nil
            } else {
                state.awaited[id]?.outcome = .failed(reason: "host detached")
            }
        }
    }

    /// Detaches a unary host that has not called for `timeout`: it crashed or lost its socket, and
    /// its connections must not stay Connected forever.
    func detachIdleUnarySession(after timeout: Duration) {
        let idle = state.withLock { state -> HostSession? in
            guard let host = state.host, host.mode == .unary, host.idleTime > timeout else { return nil }
            return host
        }
        if let idle { detachHost(idle, reason: .idle(timeout)) }
    }

    /// The attached session with this id, if any (unary hosts name their session in each call).
    func session(id: UInt64) -> HostSession? {
        state.withLock { state in state.host?.id == id ? state.host : nil }
    }

    // MARK: - Watchers

    /// A stream of decisions and peer events; it fails with RESOURCE_EXHAUSTED when its reader
    /// falls more than ``watcherQueueLimit`` events behind, so a slow watcher never slows the
    /// engine or other clients.
    func watch(decisions: Bool, peerEvents: Bool) -> AsyncThrowingStream<PeerManagerV1.WatchEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: PeerManagerV1.WatchEvent.self, bufferingPolicy: .bufferingOldest(watcherQueueLimit))
        let id = state.withLock { state in
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[id] = Watcher(continuation: continuation, decisions: decisions, peerEvents: peerEvents)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// peerd is shutting down: the host is detached (its Attach stream ends with UNAVAILABLE) and
    /// every Watch stream ends, so draining waits only for calls that do finish.
    public func shutDown() {
        let host = state.withLock { $0.host }
        if let host { detachHost(host, reason: .shuttingDown) }
        let watchers = state.withLock { state in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers {
            watcher.continuation.finish(throwing: RPCError(code: .unavailable, message: "peerd is shutting down"))
        }
    }

    private func publish(_ decisions: [Decision], to watchers: [(id: Int, watcher: Watcher)], now: EngineTime) {
        guard !watchers.isEmpty else { return }
        let events = decisions.map { PeerManagerV1.Decision($0, at: now) }
        let peerEvents = decisions.flatMap { PeerManagerV1.PeerEvent.events(for: $0, at: now) }
        for (id, watcher) in watchers {
            var overflowed = false
            if watcher.decisions {
                for event in events where !overflowed {
                    if case .dropped = watcher.continuation.yield(.init(event: .decision(event))) { overflowed = true }
                }
            }
            if watcher.peerEvents {
                for event in peerEvents where !overflowed {
                    if case .dropped = watcher.continuation.yield(.init(event: .peerEvent(event))) { overflowed = true }
                }
            }
            if overflowed {
                _ = state.withLock { $0.watchers.removeValue(forKey: id) }
                watcher.continuation.finish(
                    throwing: RPCError(
                        code: .resourceExhausted,
                        message: "watcher fell behind: more than \(watcherQueueLimit) events queued"))
            }
        }
    }
}

extension PeerManagerV1.PeerEvent {
    /// The peer-level events a decision stands for.
    static func events(for decision: Decision, at time: EngineTime) -> [Self] {
        let kind: Kind
        switch decision.reason {
        case .peerAdded: kind = .added
        case .peerRemoved, .storePruned: kind = .removed
        case .peerJoined: kind = .connected
        case .peerLeft: kind = .disconnected
        default: return []
        }
        let peers = [decision.peer].compactMap { $0 } + decision.peers
        return peers.map { Self(timeMs: time.unixMilliseconds, kind: kind, peerID: $0.description) }
    }
}

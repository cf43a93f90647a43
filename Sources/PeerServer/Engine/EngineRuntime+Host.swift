import Logging
import PeerCore
import PeerTrace
import Synchronization

/// Host sessions: attach (validated whole before anything changes), events, detach.
extension EngineRuntime {
    /// Whether a host is attached.
    public var hostAttached: Bool { state.withLock { $0.host != nil } }

    /// Attaches the host that sent `hello`, then applies its snapshot of connections.
    ///
    /// The hello is checked whole before anything changes: a refused hello leaves the attached
    /// host, its connections and the calls waiting on it as they were.
    ///
    /// - Throws: ``PeerManagerError/hostBusy(session:)`` when another host is attached and `hello`
    ///   does not take over, ``PeerManagerError/clusterMismatch(host:configured:)`` when the host's
    ///   cluster contradicts peerd's.
    func attachHost(_ hello: HostHello, mode: HostSession.Mode) throws -> HostSession {
        var effects = Effects()
        let attached = state.withLock { state -> Result<HostSession, PeerManagerError> in
            let now = state.advanceTime(clock)
            effects.now = now
            // Validate ...
            if let current = state.host, !hello.takeOver {
                return .failure(.hostBusy(session: current.id))
            }
            guard state.engine.admitsHost(clusterID: hello.clusterID) else {
                return .failure(
                    .clusterMismatch(host: hello.clusterID, configured: state.engine.configuration.clusterID))
            }
            // ... then commit.
            if let current = state.host { detach(current, in: &state, effects: &effects, reason: .replaced) }
            guard
                let actions = state.engine.hostAttached(
                    selfID: hello.selfID, clusterID: hello.clusterID, shards: hello.shards, online: hello.online,
                    now: now)
            else {
                return .failure(.invariant("the engine refused a host it admitted"))
            }
            let session = HostSession(id: state.nextSessionID, mode: mode, commandLimit: limits.maxQueuedCommands)
            state.nextSessionID += 1
            state.host = session
            traceAttach(session, hello, at: now)
            route(actions, in: &state, effects: &effects)
            for event in hello.snapshot where state.host === session {
                hostTrace?.record(.event(event), at: now)
                route(state.engine.handle(event, now: now), in: &state, effects: &effects, checkStatus: false)
            }
            noteConnectionStatus(in: &state, effects: &effects)
            return .success(session)
        }
        // Whatever happened under the lock is carried out, refused or not.
        deliver(effects)
        let session = try attached.get()
        // Its snapshot alone overflowed its command queue.
        if let error = session.endError { throw error }
        cameOnline.signal()
        logger.info(
            "host attached",
            metadata: [
                "host.session": "\(session.id)", "host.mode": "\(mode)", "peer.id": "\(hello.selfID)",
                "host.connections": "\(hello.connectionCount)",
            ])
        return session
    }

    /// Applies host events in order, under one lock. Command results wake the calls waiting for
    /// them.
    ///
    /// - Returns: how many events the engine ignored (unknown connections, peers or commands).
    /// - Throws: ``PeerManagerError/sessionDetached(_:)`` when the session is no longer attached;
    ///   the session's end (``PeerManagerError/exhausted(_:)``) when these events made it overflow
    ///   its command queue.
    @discardableResult
    func apply(_ events: [HostEvent], from session: HostSession) throws -> Int {
        var effects = Effects()
        let outcome = state.withLock { state -> (attached: Bool, cameOnline: Bool, ignored: Int) in
            let now = state.advanceTime(clock)
            effects.now = now
            guard state.host === session else { return (false, false, 0) }
            let wasOnline = state.engine.isOnline
            var ignored = 0
            for event in events {
                storeWriter?.mark(event)
                hostTrace?.record(.event(event), at: now)
                let handled = state.engine.apply(event, now: now)
                if !handled.applied { ignored += 1 }
                if case .commandCompleted(let id, let outcome) = event {
                    resolve(id, outcome, in: &state, effects: &effects)
                }
                route(handled.actions, in: &state, effects: &effects, checkStatus: false)
                // The session ended under these events (its command queue overflowed; the detach
                // checked the connection status).
                guard state.host === session else { return (true, false, ignored) }
            }
            // Once per burst: a status that flips back and forth within one burst is not reported.
            noteConnectionStatus(in: &state, effects: &effects)
            return (true, !wasOnline && state.engine.isOnline, ignored)
        }
        deliver(effects)
        guard outcome.attached else {
            throw PeerManagerError.sessionDetached(session.id)
        }
        if let error = session.endError { throw error }
        if outcome.cameOnline { self.cameOnline.signal() }
        return outcome.ignored
    }

    /// Detaches `session` if it is still the attached one.
    func detachHost(_ session: HostSession, reason: HostSession.EndReason) {
        var effects = Effects()
        let detached = state.withLock { state -> Bool in
            effects.now = state.advanceTime(clock)
            guard state.host === session else { return false }
            detach(session, in: &state, effects: &effects, reason: reason)
            return true
        }
        deliver(effects)
        session.outbox.close()
        if detached {
            logger.info("host detached", metadata: ["host.session": "\(session.id)", "host.reason": "\(reason)"])
        }
    }

    /// The one way a session ends, whatever the cause (stream end, replacement, idleness, a full
    /// command queue, shutdown): the engine drops its connections and commands, and every call
    /// waiting for a command's outcome hears "host detached".
    func detach(_ session: HostSession, in state: inout State, effects: inout Effects, reason: HostSession.EndReason) {
        session.end(reason: reason)
        hostTrace?.record(.session(.detached(id: session.id, reason: "\(reason)")), at: effects.now)
        state.host = nil
        effects.closedOutboxes.append(session.outbox)
        route(state.engine.hostDetached(now: effects.now), in: &state, effects: &effects)
        // Calls waiting for this host's results will not get them.
        for (id, awaited) in state.awaited {
            if let continuation = awaited.continuation {
                effects.resumed.append((continuation, .failed(reason: "host detached")))
                state.awaited[id] = nil
            } else if awaited.outcome == nil {
                state.awaited[id]?.outcome = .failed(reason: "host detached")
            }
        }
    }

    /// Detaches a unary host that has shown no sign of life for `timeout` (no call in progress,
    /// none ended within it): it crashed or lost its socket, and its connections must not stay
    /// Connected forever.
    func detachIdleUnarySession(after timeout: Duration) {
        let idle = state.withLock { state -> HostSession? in
            guard let host = state.host, host.mode == .unary, host.isIdle(for: timeout) else { return nil }
            return host
        }
        if let idle { detachHost(idle, reason: .idle(timeout)) }
    }

    /// The attached session with this id, if any (unary hosts name their session in each call).
    func session(id: UInt64) -> HostSession? {
        state.withLock { state in state.host?.id == id ? state.host : nil }
    }
}

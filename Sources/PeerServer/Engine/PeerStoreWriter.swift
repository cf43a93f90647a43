import Logging
import PeerCore
import PeerIdentity
import PeerStorage
import ServiceLifecycle
import Synchronization

/// Keeps the peer store file in step with the engine.
///
/// The runtime marks peers whose books changed (under the engine lock: a set insert, never the
/// disk). Changes are written in transactions on the database's own queue, where the batch is
/// taken: the peers' current records are read under the engine lock there, so a batch is always
/// the latest state and batches commit in the order they were taken.
///
/// - Host churn is written behind: ``run()`` commits what was marked every ``interval``.
/// - Acknowledged client changes (AddPeer, RemovePeer, service slots) wait for
///   ``commit(from:)``, which commits everything marked so far; concurrent callers share
///   transactions (a caller whose peer an earlier transaction took finds it committed).
/// - A failed write puts its peers back (they are written when the disk recovers), is logged once
///   per cause and reported to ``onFailure``; acknowledged callers get the error.
public final class PeerStoreWriter: Service, Sendable {
    public let file: PeerStoreFile
    let logger: Logger
    /// Called for every failed transaction (`waku_peers_errors{type="storage_failure"}`).
    let onFailure: @Sendable () -> Void
    /// Called with the count of each expiry pass that expired peers
    /// (`peerd_store_expired_peers_total`).
    let onExpired: @Sendable (Int) -> Void
    /// How often written-behind changes are committed.
    let interval: Duration
    /// Never-connected peers first stored longer ago than this expire (nil: never while running).
    let expiry: Duration?
    /// Peers expired while running, since start.
    let expired = Atomic<Int>(0)

    struct Pending {
        var dirty: Set<PeerID> = []
        var slotsChanged = false
        /// The cause of the last failure, logged once until a write succeeds.
        var failure: String?
        /// Transactions failed since the last success (logged on recovery: a failure's own log
        /// line can be lost with the disk that failed).
        var failedWrites = 0
    }

    let pending = Mutex(Pending())

    public init(
        file: PeerStoreFile, logger: Logger, interval: Duration = .milliseconds(100), expiry: Duration? = nil,
        onFailure: @escaping @Sendable () -> Void = {}, onExpired: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.file = file
        self.logger = logger
        self.interval = interval
        self.expiry = expiry
        self.onFailure = onFailure
        self.onExpired = onExpired
    }

    /// Marks the peers an engine call changed; called under the engine lock.
    func mark(_ actions: [EngineAction]) {
        guard !actions.isEmpty else { return }
        var peers: [PeerID] = []
        for action in actions {
            switch action {
            case .peerChange(let change): peers.append(change.peer)
            case .decision(let decision):
                if let peer = decision.peer { peers.append(peer) }
                peers += decision.peers
            case .command: continue
            }
        }
        if !peers.isEmpty { mark(peers) }
    }

    /// Marks peers (and the service slots) as changed.
    func mark(_ peers: some Sequence<PeerID>, slots: Bool = false) {
        pending.withLock { pending in
            pending.dirty.formUnion(peers)
            if slots { pending.slotsChanged = true }
        }
    }

    /// Whether nothing waits to be written.
    public var isIdle: Bool { pending.withLock { $0.dirty.isEmpty && !$0.slotsChanged } }

    /// Commits everything marked so far (and waits for it).
    ///
    /// The transaction runs in a task of its own, which the caller's cancellation does not reach:
    /// it carries other callers' changes too, and GRDB aborts the write of a cancelled task with
    /// CancellationError, which was counted and logged as a storage failure for every client that
    /// hung up during an AddPeer (and at every shutdown).
    public func commit(from runtime: EngineRuntime) async throws(PeerStorageError) {
        let result = await Task { () async -> Result<Void, PeerStorageError> in
            do throws(PeerStorageError) {
                try await self.commitNow(from: runtime)
                return .success(())
            } catch {
                return .failure(error)
            }
        }.value
        try result.get()
    }

    private func commitNow(from runtime: EngineRuntime) async throws(PeerStorageError) {
        // What this transaction took, kept by this call and put back on the database's queue if
        // the transaction fails, before any later commit takes its batch.
        let taken = Taken()
        do {
            try await file.write(
                now: runtime.clock.now(), taking: { self.takeBatch(from: runtime, into: taken) },
                restoringOnFailure: {
                    let (peers, slots) = taken.value.withLock { $0 }
                    self.pending.withLock { pending in
                        pending.dirty.formUnion(peers)
                        pending.slotsChanged = pending.slotsChanged || slots
                    }
                })
        } catch {
            onFailure()
            let firstOfItsKind = pending.withLock { pending in
                defer { pending.failure = error.reason }
                pending.failedWrites += 1
                return pending.failure != error.reason
            }
            if firstOfItsKind {
                logger.error(
                    "peer store write failed; changes are kept in memory and retried",
                    metadata: ["store.path": "\(file.path)", "error": "\(error.reason)"])
            }
            throw error
        }
        let recovered = pending.withLock { pending -> (cause: String, failedWrites: Int)? in
            defer {
                pending.failure = nil
                pending.failedWrites = 0
            }
            return pending.failure.map { ($0, pending.failedWrites) }
        }
        if let recovered {
            logger.info(
                "peer store writable again",
                metadata: [
                    "store.path": "\(file.path)", "store.failed_writes": "\(recovered.failedWrites)",
                    "error": "\(recovered.cause)",
                ])
        }
    }

    /// On the database's queue: takes the marked peers and reads their records under the engine
    /// lock (a peer no longer in the books is deleted).
    private func takeBatch(from runtime: EngineRuntime, into taken: Taken) -> PeerStoreFile.Batch {
        let (peers, slots) = pending.withLock { pending in
            defer {
                pending.dirty = []
                pending.slotsChanged = false
            }
            return (pending.dirty, pending.slotsChanged)
        }
        taken.value.withLock { $0 = (peers, slots) }
        guard !peers.isEmpty || slots else { return .init() }
        return runtime.read { engine, _, _ in
            var batch = PeerStoreFile.Batch()
            for peer in peers {
                if let record = engine.persistableRecord(peer) {
                    batch.upserts.append(record)
                } else {
                    batch.deletes.append(peer)
                }
            }
            if slots {
                batch.serviceSlots = engine.serviceSlots.protocols.map { ($0, engine.serviceSlots.peers(for: $0)) }
            }
            return batch
        }
    }

    /// The peers (and whether the slots) one commit took, to put back if its transaction fails.
    final class Taken: Sendable {
        let value = Mutex<(Set<PeerID>, Bool)>(([], false))
    }

    /// The runtime whose changes ``run()`` writes behind; set by ``Sidecar``. Weak: the runtime
    /// owns this writer, and a strong reference back would keep both alive forever.
    let runtime = Mutex(WeakRuntime())

    struct WeakRuntime {
        weak var value: EngineRuntime?
    }

    func attach(_ runtime: EngineRuntime) { self.runtime.withLock { $0.value = runtime } }

    /// Writes behind until shutdown, then commits what is left.
    public func run() async throws {
        guard let runtime = runtime.withLock({ $0.value }) else {
            // Not attached to a runtime: nothing to write; returning early would end the group.
            try? await gracefulShutdown()
            return
        }
        // Expiry runs with the prune pass's period: rare, and a peer outlives its age by at most
        // that much.
        let expiryPeriod = runtime.read { engine, _, _ in engine.configuration.pruneInterval }
        await cancelWhenGracefulShutdown {
            var nextExpiry = ContinuousClock.now + expiryPeriod
            while !Task.isCancelled {
                var wait = self.interval
                if ContinuousClock.now >= nextExpiry {
                    nextExpiry = ContinuousClock.now + expiryPeriod
                    await self.expire(from: runtime)
                }
                if !self.isIdle {
                    // A failing disk is retried less often; the failure is already logged.
                    do { try await self.commit(from: runtime) } catch { wait = .seconds(1) }
                }
                try? await Task.sleep(for: wait)
            }
        }
        if !isIdle { try? await commit(from: runtime) }
    }
}

extension PeerStoreWriter {
    /// Marks the peer a host event may change without a decision or a peer change: identify
    /// (protocols, addresses, key, agent) and metadata (shards). Streams change only connection
    /// state, which is not stored (connectedness is reset on load), so the busiest events cost
    /// nothing here.
    func mark(_ event: HostEvent) {
        switch event {
        case .identified(let peer, _), .metadata(let peer, _):
            pending.withLock { _ = $0.dirty.insert(peer) }
        case .connectionOpened, .connectionClosed, .streamOpened, .streamClosed, .commandCompleted,
            .networkReachability:
            return
        }
    }
}

extension PeerStoreWriter {
    /// One expiry pass while running (at start, ``PeerStoreFile/load(now:expiry:)`` does it):
    /// peers the file holds as never connected and first stored more than ``expiry`` ago leave
    /// the engine and the file. Read on the database's queue, decided under the engine lock (a
    /// peer connected since, whose books are not written yet, stays), deleted by the commit:
    /// neither the event loop nor the engine lock waits on the disk.
    ///
    /// - Returns: how many peers expired.
    @discardableResult
    public func expire(from runtime: EngineRuntime) async -> Int {
        guard let expiry else { return 0 }
        let candidates: [PeerID]
        do {
            candidates = try await file.neverConnected(storedBefore: runtime.clock.now() - expiry)
        } catch {
            // Shutdown cancels the pass's read: no failure, the next start expires them.
            if !Task.isCancelled {
                logger.error(
                    "peer store expiry pass failed", metadata: ["store.path": "\(file.path)", "error": "\(error)"])
            }
            return 0
        }
        guard !candidates.isEmpty else { return 0 }
        let expired = runtime.perform { engine, now, _ in
            var expired: [PeerID] = []
            var actions: [EngineAction] = []
            for peer in candidates {
                guard let record = engine.store.record(peer) else {
                    // In the file, not in the books (trimmed at load): it only leaves the file.
                    expired.append(peer)
                    continue
                }
                guard !PeerStoreFile.everConnected(record) else { continue }
                expired.append(peer)
                actions += engine.removePeer(peer, now: now).map { action in
                    guard case .decision(var decision) = action, decision.reason == .peerRemoved else { return action }
                    decision.detail = "expired: never connected, stored more than \(expiry.components.seconds) s ago"
                    return .decision(decision)
                }
            }
            return (expired, actions)
        }
        guard !expired.isEmpty else { return 0 }
        // Peers the engine removed are marked by the runtime; the others are marked here.
        mark(expired)
        let total = self.expired.add(expired.count, ordering: .relaxed).newValue
        onExpired(expired.count)
        // A failed commit keeps them marked (retried by run()) and is logged there.
        try? await commit(from: runtime)
        logger.info(
            "never-connected peers expired",
            metadata: [
                "store.path": "\(file.path)", "store.expired": "\(expired.count)",
                "store.expired_total": "\(total)",
            ])
        return expired.count
    }

    /// Peers expired while running, since start.
    public var expiredCount: Int { expired.load(ordering: .relaxed) }
}

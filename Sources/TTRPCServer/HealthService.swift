import NIOCore
import PeerWire
import Synchronization

/// The server's serving status and its watchers (`grpc.health.v1.Health`).
public final class HealthStatus: Sendable {
    private struct State {
        var status: Health.ServingStatus = .notServing
        var watchers: [Int: AsyncStream<Health.ServingStatus>.Continuation] = [:]
        var nextWatcher = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var current: Health.ServingStatus { state.withLock { $0.status } }

    /// Changes the status and tells every watcher.
    public func set(_ status: Health.ServingStatus) {
        let watchers = state.withLock { state -> [AsyncStream<Health.ServingStatus>.Continuation] in
            guard state.status != status else { return [] }
            state.status = status
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// Ends every watcher's stream (after it has seen the last status).
    func finishWatchers() {
        let watchers = state.withLock { state in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.finish() }
    }

    /// The current status, then every change, until the caller stops iterating.
    func updates() -> AsyncStream<Health.ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Health.ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            continuation.yield(state.status)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}

/// Registers `grpc.health.v1.Health/Check` and `/Watch`.
///
/// The empty service name and every registered service share the server's status; Check on an
/// unknown name is NOT_FOUND and Watch reports SERVICE_UNKNOWN, as gRPC's health protocol says.
public enum HealthService {
    public static func register(in router: inout RPCRouter, status: HealthStatus, knownServices: Set<String>) {
        router.inline(GrpcHealthV1.Health.check) { request, _ in
            guard request.service.isEmpty || knownServices.contains(request.service) else {
                throw RPCError(code: .notFound, message: "unknown service \(request.service)")
            }
            return Health.CheckResponse(status: status.current)
        }
        router.serverStreaming(GrpcHealthV1.Health.watch) { request, _, writer in
            guard request.service.isEmpty || knownServices.contains(request.service) else {
                try await writer.write(Health.CheckResponse(status: .serviceUnknown))
                // gRPC keeps the stream open in case the service appears; ours never will, so wait
                // for the client to go away or for its deadline (no timer: see untilCancelled).
                await untilCancelled()
                return
            }
            for await update in status.updates() {
                try await writer.write(Health.CheckResponse(status: update))
            }
        }
    }
}

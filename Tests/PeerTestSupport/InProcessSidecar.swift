import Foundation
import Logging
import PeerCore
import PeerServer
import ServiceLifecycle
import TTRPCServer

/// The real sidecar run in-process (as hummingbird's `testServer` and grpc-swift-2's in-process
/// tests do): the same `Sidecar` peerd builds, its loops and server in a `ServiceGroup` inside a
/// task, on a socket in a fresh temporary directory. The test gets the socket path once the
/// socket accepts; the group is shut down gracefully when the test's body returns or throws, and
/// awaited, so no task outlives the test.
public struct InProcessSidecar: Sendable {
    public let socketPath: String
    public let sidecar: Sidecar
    private let group: ServiceGroup

    /// What peerd's SIGTERM does: health turns NOT_SERVING, the host is detached, the server drains.
    public func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// A fresh temporary directory for a socket, removed by the caller: for a test that restarts
    /// a sidecar on the same path (`run(socketPath:)`).
    public static func makeSocketDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "peerd-inproc-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// - Parameters:
    ///   - socketPath: where to listen; nil for a socket in a fresh temporary directory, removed
    ///     when the body returns.
    ///   - persistence: the peer store file; nil runs from memory.
    ///   - observeCall: sees every call's method and status as the server completes it.
    public static func run<Result: Sendable>(
        socketPath: String? = nil,
        configure: (inout EngineConfiguration) -> Void = { _ in },
        shutdownGracePeriod: Duration = .milliseconds(500),
        persistence: PersistenceConfiguration? = nil,
        hostTrace: HostTraceRecorder? = nil,
        observeCall: CallObserver? = nil,
        _ body: @Sendable (InProcessSidecar) async throws -> Result
    ) async throws -> Result {
        let directory = socketPath == nil ? try makeSocketDirectory() : nil
        defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }
        let socketPath = socketPath ?? "\(directory ?? "")/peerd.sock"
        let logger = Logger(label: "peerd-inproc", factory: { _ in SwiftLogNoOpLogHandler() })
        let (listening, listened) = AsyncStream.makeStream(of: String.self)
        let sidecar = try Sidecar(
            server: ServerConfiguration(socketPath: socketPath, shutdownGracePeriod: shutdownGracePeriod),
            engine: .defaults(configure: configure), version: "test", persistence: persistence, hostTrace: hostTrace,
            logger: logger,
            observeCall: observeCall,
            onListening: { path in
                listened.yield(path)
                listened.finish()
            })
        // peerd's order: the server drains first, then the store writer commits, then the loops stop.
        let writer: [ServiceGroupConfiguration.ServiceConfiguration] =
            sidecar.storeWriter.map { [.init(service: $0)] } ?? []
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: sidecar.loops)] + writer + [.init(service: sidecar.server)], logger: logger))
        let running = InProcessSidecar(socketPath: socketPath, sidecar: sidecar, group: group)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // A group that fails before listening ends the wait below too.
                defer { listened.finish() }
                try await group.run()
            }
            var iterator = listening.makeAsyncIterator()
            guard await iterator.next() != nil else {
                try await tasks.next()  // rethrows why the group stopped
                throw InProcessSidecarError.stoppedBeforeListening
            }
            let result: Result
            do {
                result = try await body(running)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}

public enum InProcessSidecarError: Error {
    case stoppedBeforeListening
}

/// Runs blocking socket code on a thread of its own: a blocking `recv` on the cooperative pool
/// (two threads on a two-core machine) would starve the in-process sidecar's own tasks.
public func onThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Swift.Result { try body() }) }
    }
}

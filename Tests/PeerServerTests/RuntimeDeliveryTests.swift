import Dispatch
import Foundation
import Logging
import PeerCore
import PeerIdentity
import PeerWire
import Synchronization
import Testing

@testable import PeerServer

/// A clock the test sets; it may go back, as a wall clock can.
final class SteppedClock: EngineClock {
    private let time: Mutex<EngineTime>
    init(_ time: EngineTime) { self.time = Mutex(time) }
    func set(_ new: EngineTime) { time.withLock { $0 = new } }
    func now() -> EngineTime { time.withLock { $0 } }
}

/// The runtime's delivery: decisions reach the observers in the engine's order, the engine's time
/// never goes back, and Reconnect's scheduled dials go out when due.
@Suite("Engine runtime delivery")
struct RuntimeDeliveryTests {
    static func peer(_ n: UInt8) -> PeerID { try! PeerID(ed25519PublicKey: [UInt8](repeating: n, count: 32)) }

    static func runtime(
        clock: any EngineClock = WallClock(), configure: (inout EngineConfiguration) -> Void = { _ in },
        observers: [EngineRuntime.DecisionObserver] = []
    ) throws -> EngineRuntime {
        let engine = try PeerEngine(configuration: .defaults(configure: configure), selfID: PeerID(multihash: []))
        return EngineRuntime(engine: engine, clock: clock, logger: Logger(label: "test"), observers: observers)
    }

    static func info(_ n: UInt8) -> PeerInfo {
        PeerInfo(id: peer(n), addresses: [try! Multiaddr("/ip4/10.0.0.\(n)/tcp/60000")])
    }

    @Test("decisions reach the observers in the order the engine made them, whoever delivers")
    func observerOrder() throws {
        let seen = Mutex<[PeerID]>([])
        let firstArrived = DispatchSemaphore(value: 0)
        let slowFirst = Mutex(true)
        let observer: EngineRuntime.DecisionObserver = { decisions, _ in
            // The first batch's delivery is slow: a later batch must still come after it.
            let isFirst = slowFirst.withLock { first in
                defer { first = false }
                return first
            }
            if isFirst {
                firstArrived.signal()
                Thread.sleep(forTimeInterval: 0.3)
            }
            seen.withLock { $0 += decisions.compactMap(\.peer) }
        }
        let runtime = try Self.runtime(observers: [observer])
        let first = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            runtime.perform { engine, now, _ in ((), engine.addPeer(Self.info(1), now: now)) }
            first.signal()
        }
        firstArrived.wait()
        runtime.perform { engine, now, _ in ((), engine.addPeer(Self.info(2), now: now)) }
        #expect(first.wait(timeout: .now() + 5) == .success)
        // Before the fix: [2, 1], the second caller's observer call overtook the first's.
        #expect(seen.withLock { $0 } == [Self.peer(1), Self.peer(2)])
    }

    @Test("the engine's time never goes back, and is read under the lock")
    func monotonicTime() throws {
        let clock = SteppedClock(.seconds(1_700_000_100))
        let observed = Mutex<[EngineTime]>([])
        let runtime = try Self.runtime(clock: clock, observers: [{ _, now in observed.withLock { $0.append(now) } }])
        let first = runtime.perform { engine, now, _ in (now, engine.addPeer(Self.info(1), now: now)) }
        clock.set(.seconds(1_700_000_050))  // the wall clock steps back 50 s
        let second = runtime.perform { engine, now, _ in (now, engine.addPeer(Self.info(2), now: now)) }
        let read = runtime.read { _, now, _ in now }
        #expect(first == .seconds(1_700_000_100))
        // Before the fix: 1_700_000_050, earlier than a time the engine already acted at.
        #expect(second == first)
        #expect(read == first)
        #expect(observed.withLock { $0 } == [first, first])
        clock.set(.seconds(1_700_000_200))
        #expect(runtime.read { _, now, _ in now } == .seconds(1_700_000_200))
    }

    @Test("Reconnect dials a recently disconnected peer once the backoff since its disconnect has passed")
    func reconnectScheduled() async throws {
        let runtime = try Self.runtime { $0.reconnectBackoff = .milliseconds(600) }
        let hello = PeerManagerV1.HostHello(
            peerID: Self.peer(99).description, online: true,
            connections: [
                PeerManagerV1.ConnectionOpened(
                    connectionID: 1, peerID: Self.peer(1).description, direction: .outbound,
                    observedAddress: "/ip4/10.0.0.1/tcp/60000")
            ])
        let session = try runtime.attachHost(HostHello(hello), mode: .unary)
        try runtime.apply(
            [HostEvent(.identified(.init(peerID: Self.peer(1).description, protocols: ["/vac/waku/store/3.0.0"])))],
            from: session)
        try runtime.apply([HostEvent(.connectionClosed(.init(connectionID: 1)))], from: session)
        _ = await session.outbox.take(max: 0, wait: .zero)

        let started = ContinuousClock.now
        #expect(runtime.reconnect(protocolID: "") == 1)
        #expect(runtime.reconnect(protocolID: "") == 1)  // scheduled once, counted again
        // The dial's arrival time says it waited for the backoff: a loaded machine can only make
        // it later, where a "nothing within 300 ms" window can overshoot the backoff itself.
        let commands = await session.outbox.take(max: 0, wait: .seconds(5)) ?? []
        #expect(ContinuousClock.now - started >= .milliseconds(600))
        #expect(commands.count == 1)
        guard case .dial(let dial)? = commands.first.map(PeerManagerV1.HostCommand.init)?.command else {
            Issue.record("expected a dial, got \(commands)")
            return
        }
        #expect(dial.peerID == Self.peer(1).description)
        // The second request did not schedule a second dial.
        #expect(await session.outbox.take(max: 0, wait: .milliseconds(800)) == [])
    }

    @Test("a scheduled reconnection of a peer that connected and left again waits from its new disconnect")
    func reconnectRescheduled() async throws {
        // A backoff well above the 400 ms sleep below: a loaded machine may oversleep, and the
        // peer must be back before the first schedule fires for the test to mean anything.
        let runtime = try Self.runtime { $0.reconnectBackoff = .milliseconds(2_000) }
        let opened = { (connection: UInt64) in
            PeerManagerV1.ConnectionOpened(
                connectionID: connection, peerID: Self.peer(1).description, direction: .outbound,
                observedAddress: "/ip4/10.0.0.1/tcp/60000")
        }
        let session = try runtime.attachHost(
            HostHello(
                PeerManagerV1.HostHello(peerID: Self.peer(99).description, online: true, connections: [opened(1)])),
            mode: .unary)
        try runtime.apply(
            [HostEvent(.identified(.init(peerID: Self.peer(1).description, protocols: ["/vac/waku/store/3.0.0"])))],
            from: session)
        try runtime.apply([HostEvent(.connectionClosed(.init(connectionID: 1)))], from: session)
        let started = ContinuousClock.now
        #expect(runtime.reconnect(protocolID: "") == 1)
        try await Task.sleep(for: .milliseconds(400))
        // It came back and left again: the backoff starts over from this disconnect.
        try runtime.apply(
            [HostEvent(.connectionOpened(opened(2))), HostEvent(.connectionClosed(.init(connectionID: 2)))],
            from: session)
        let reopened = ContinuousClock.now
        _ = await session.outbox.take(max: 0, wait: .zero)
        let commands = await session.outbox.take(max: 0, wait: .seconds(10)) ?? []
        // Not at the first schedule (2 s after `started`), but a full backoff after the new disconnect.
        #expect(ContinuousClock.now - reopened >= .milliseconds(2_000))
        #expect(ContinuousClock.now - started >= .milliseconds(2_400))
        #expect(commands.count == 1)
    }
}

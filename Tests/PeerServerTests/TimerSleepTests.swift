import NIOCore
import Testing

@testable import PeerServer

@Suite("timerSleep: a sleep on an event loop's timer")
struct TimerSleepTests {
    @Test(
        "durations become NIO nanoseconds, saturating, never below zero",
        arguments: [
            (Duration.zero, Int64(0)), (.nanoseconds(1), 1), (.milliseconds(1500), 1_500_000_000),
            (.seconds(-1), 0), (.nanoseconds(-1), 0), (.seconds(Int64.max), .max),
            (.seconds(9_223_372_036), 9_223_372_036_000_000_000), (.seconds(9_223_372_037), .max),
        ])
    func conversion(duration: Duration, nanoseconds: Int64) {
        #expect(timeAmount(duration) == .nanoseconds(nanoseconds))
    }

    @Test("a sleep ends after its duration")
    func endsAfterDuration() async {
        let started = ContinuousClock.now
        await timerSleep(for: .milliseconds(50))
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    // No wall-clock bound: the whole suite runs in parallel on two cores, and a 5 s bound failed
    // in CI after 44 s of starvation. A sleep that ignored its cancellation would run for an hour
    // (or forever), which the time limit catches.
    @Test(
        "a cancelled sleep ends at once, an endless one too, and one cancelled before it starts",
        .timeLimit(.minutes(2)))
    func endsWhenCancelled() async {
        let endless = Task { await timerSleep(for: .seconds(Int64.max)) }
        let long = Task { await timerSleep(for: .seconds(3600)) }
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await timerSleep(for: .seconds(3600))
        }
        try? await Task.sleep(for: .milliseconds(20))
        endless.cancel()
        long.cancel()
        await endless.value
        await long.value
        await early.value
    }
}

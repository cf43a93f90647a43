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

    @Test("a cancelled sleep ends at once, an endless one too, and one cancelled before it starts")
    func endsWhenCancelled() async {
        let started = ContinuousClock.now
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
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}

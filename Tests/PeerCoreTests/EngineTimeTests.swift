import PeerCore
import Testing

@Suite("EngineTime")
struct EngineTimeTests {
    @Test("arithmetic with Duration")
    func arithmetic() {
        let start = EngineTime.seconds(100)
        #expect(start + .milliseconds(1500) == EngineTime(nanosecondsSinceEpoch: 101_500_000_000))
        #expect((start + .seconds(5)) - start == .seconds(5))
        #expect(start - .seconds(100) == .epoch)
        #expect(start.secondsSinceEpoch == 100)
        #expect("\(EngineTime(nanosecondsSinceEpoch: 1_000_000_001))" == "1.000000001s")
    }

    @Test("saturates instead of trapping")
    func saturates() {
        let late = EngineTime(nanosecondsSinceEpoch: .max - 1)
        #expect(late + .seconds(10) == EngineTime(nanosecondsSinceEpoch: .max))
        #expect(EngineTime.epoch + .seconds(Int64.max) == EngineTime(nanosecondsSinceEpoch: .max))
    }
}

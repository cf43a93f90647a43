/// The engine's randomness: xoshiro256** seeded once from the system generator.
///
/// `SystemRandomNumberGenerator` makes a `getrandom` syscall per draw, which was a quarter of a
/// SelectPeer call's syscalls. Selection needs unpredictability between runs, not cryptographic
/// strength, so one seed from the system and a fast user-space generator suffice.
public struct EngineRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: (system.next(), system.next(), system.next(), system.next()))
    }

    /// A generator that replays: the same seed gives the same draws.
    public init(seed: (UInt64, UInt64, UInt64, UInt64)) {
        // An all-zero state would only ever produce zeros.
        state = seed == (0, 0, 0, 0) ? (1, 2, 3, 4) : seed
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}

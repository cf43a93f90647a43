/// The simulator's randomness: SplitMix64, one stream per purpose, all derived from the
/// scenario's seed, so a scenario file and a seed replay the same run on any machine (Swift's
/// `SystemRandomNumberGenerator` and `Hasher` are seeded per process and are never used here).
public struct SimRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one purpose (`stream`), independent of the others drawn from `seed`: the
    /// network a policy sees does not change when the policy draws more or fewer numbers.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SimRandom(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

    /// A uniform draw in `range` (seconds as `Double`).
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// An exponential draw with the given mean (Poisson arrivals, session lengths).
    public mutating func exponential(mean: Double) -> Double {
        guard mean > 0 else { return 0 }
        return -mean * log1p(-unit())
    }

    /// An index drawn in proportion to `weights` (all zero: uniform).
    public mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return Int(next() % UInt64(max(weights.count, 1))) }
        var draw = unit() * total
        for (index, weight) in weights.enumerated() {
            draw -= weight
            if draw < 0 { return index }
        }
        return weights.count - 1
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Candidates for a dial round, sampled without copying the large dialable index: the engine's
/// dialable index (`primary`), plus peers whose backoff has elapsed (`extra`), minus those being
/// dialled or waiting for their scheduled reconnection (`excluded`). Peers are store slots.
public struct CandidatePool: Sendable, Equatable {
    public let primary: [Int32]
    public let extra: [Int32]
    public let excluded: Set<Int32>

    public init(primary: [Int32], extra: [Int32] = [], excluded: Set<Int32> = []) {
        self.primary = primary
        self.extra = extra
        self.excluded = excluded
    }

    public var available: Int { primary.count + extra.count - excluded.count }

    /// `count` distinct random candidates (uniform).
    public func sample(_ count: Int, using rng: inout some RandomNumberGenerator) -> [Int32] {
        let total = primary.count + extra.count
        let count = min(count, available)
        guard count > 0 else { return [] }
        if count * 4 >= total {
            var all = (primary + extra).filter { !excluded.contains($0) }
            all.shuffle(using: &rng)
            return Array(all.prefix(count))
        }
        var seen: Set<Int> = []
        var chosen: [Int32] = []
        while chosen.count < count {
            let index = Int.random(in: 0..<total, using: &rng)
            guard seen.insert(index).inserted else { continue }
            let handle = index < primary.count ? primary[index] : extra[index - primary.count]
            if !excluded.contains(handle) { chosen.append(handle) }
        }
        return chosen
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// One libFuzzer target: what it does with an input, and the valid inputs it starts from.
struct FuzzTarget: Sendable {
    var name: String
    var run: @Sendable (_ input: [UInt8]) -> Void
    var seeds: @Sendable () -> [[UInt8]]

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "connection", run: ConnectionTarget.run, seeds: ConnectionTarget.seeds),
        FuzzTarget(name: "frame", run: FrameTarget.run, seeds: FrameTarget.seeds),
        FuzzTarget(name: "envelope", run: EnvelopeTarget.run, seeds: EnvelopeTarget.seeds),
        FuzzTarget(name: "messages", run: MessagesTarget.run, seeds: MessagesTarget.seeds),
        FuzzTarget(name: "host-events", run: HostEventsTarget.run, seeds: HostEventsTarget.seeds),
        FuzzTarget(name: "enr-text", run: ENRTarget.runText, seeds: ENRTarget.textSeeds),
        FuzzTarget(name: "enr-rlp", run: ENRTarget.runRLP, seeds: ENRTarget.rlpSeeds),
        FuzzTarget(name: "multiaddr-text", run: MultiaddrTarget.runText, seeds: MultiaddrTarget.textSeeds),
        FuzzTarget(name: "multiaddr-bytes", run: MultiaddrTarget.runBytes, seeds: MultiaddrTarget.byteSeeds),
        FuzzTarget(name: "peer-id", run: PeerIDTarget.run, seeds: PeerIDTarget.seeds),
    ]
}

/// A broken invariant: the fuzzer reports it as a crash, with the input that caused it.
func violated(_ message: String) -> Never {
    fatalError("fuzz invariant violated: \(message)")
}

/// Writes `text` to standard error (the C `stderr` variable is shared mutable state to Swift 6).
func printError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

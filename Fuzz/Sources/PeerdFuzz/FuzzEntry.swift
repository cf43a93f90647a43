import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The target this process runs, from PEERD_FUZZ_TARGET (scripts/fuzz sets it).
nonisolated(unsafe) private var selected: FuzzTarget?
/// The slowest inputs so far, timed one by one (libFuzzer's own figure is in whole seconds).
nonisolated(unsafe) private var slowest = SlowestInputs()

/// libFuzzer calls this once before any input. With PEERD_FUZZ_WRITE_SEEDS=<dir> the process
/// writes every target's seed inputs to <dir>/<target>/ and exits (scripts/fuzz --write-seeds).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    if let directory = environment("PEERD_FUZZ_WRITE_SEEDS") {
        for target in FuzzTarget.all { Seeds.write(target.seeds(), to: "\(directory)/\(target.name)") }
        exit(0)
    }
    guard let name = environment("PEERD_FUZZ_TARGET"), let target = FuzzTarget.all.first(where: { $0.name == name })
    else {
        let names = FuzzTarget.all.map(\.name).joined(separator: " ")
        printError("PEERD_FUZZ_TARGET must name a target: \(names)\n")
        exit(2)
    }
    selected = target
    atexit { reportSlowest() }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let selected else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let started = DispatchTime.now().uptimeNanoseconds
    selected.run(input)
    slowest.record(input, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
    return 0
}

/// At a normal exit: runs the slowest inputs again (a first run also pays for one-time set-up,
/// and a busy machine stretches any single run), prints the slowest of their best times and
/// saves that input next to libFuzzer's artifacts.
private func reportSlowest() {
    guard let selected, !slowest.inputs.isEmpty else { return }
    var worst: (nanoseconds: UInt64, first: UInt64, input: [UInt8]) = (0, 0, [])
    for (first, input) in slowest.inputs {
        var best = UInt64.max
        for _ in 0..<5 {
            let started = DispatchTime.now().uptimeNanoseconds
            selected.run(input)
            best = min(best, DispatchTime.now().uptimeNanoseconds - started)
        }
        if best > worst.nanoseconds { worst = (best, first, input) }
    }
    var saved = ""
    if let prefix = environment("PEERD_FUZZ_ARTIFACTS") {
        let path = "\(prefix)slowest-input"
        if let file = fopen(path, "wb") {
            _ = worst.input.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            saved = ", saved as \(path)"
        }
    }
    let firstMax = slowest.inputs.map(\.nanoseconds).max() ?? 0
    printError(
        "peerd-fuzz: slowest_unit_us: \(worst.nanoseconds / 1000) (best of 5 runs of the \(slowest.inputs.count) "
            + "slowest inputs; \(worst.input.count) bytes\(saved)); slowest single run: \(firstMax / 1000) us\n")
}

/// The few slowest inputs seen, with their time.
private struct SlowestInputs {
    var inputs: [(nanoseconds: UInt64, input: [UInt8])] = []
    private let capacity = 8

    mutating func record(_ input: [UInt8], nanoseconds: UInt64) {
        if inputs.count < capacity {
            inputs.append((nanoseconds, input))
        } else if let index = inputs.indices.min(by: { inputs[$0].nanoseconds < inputs[$1].nanoseconds }),
            nanoseconds > inputs[index].nanoseconds
        {
            inputs[index] = (nanoseconds, input)
        }
    }
}

private func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

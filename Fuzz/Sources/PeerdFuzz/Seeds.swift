#if canImport(Glibc)
    import Glibc
#endif

/// Writes seed inputs as files named by index (seed-000, ...), replacing the directory's seeds.
enum Seeds {
    static func write(_ seeds: [[UInt8]], to directory: String) {
        mkdir(directory, 0o755)
        for (index, seed) in seeds.enumerated() {
            let name = "\(directory)/seed-\(index < 10 ? "00" : index < 100 ? "0" : "")\(index)"
            guard let file = fopen(name, "wb") else {
                printError("cannot write \(name)\n")
                exit(1)
            }
            _ = seed.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
    }
}

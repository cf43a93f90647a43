import Foundation

/// The whole text of a file (nil when it cannot be opened), read with `read(2)` until end of file.
///
/// Why not `String(contentsOfFile:)`: FoundationEssentials reads a file whose size is 0 into a
/// 4 KiB `malloc` buffer and, when nothing comes, drops that buffer without freeing it (its
/// zero-size path in `readBytesFromFile`); a child's empty stdout then shows as a leak in every
/// AddressSanitizer run of peerdTests. Reading until EOF also takes files whose size says nothing
/// (procfs).
func fileText(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        bytes += chunk[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
